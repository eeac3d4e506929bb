using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Pipeline.Core.Transcripts;

/// <summary>The Brotli step of the envelope: compress into a pooled buffer, decompress to exactly the recorded length.</summary>
internal static class TranscriptBrotli
{
    // Quality 0 compresses transcript text about 500 MB/s per core and still several-fold (docs/PERFORMANCE.md).
    private const int BrotliQuality = 0;
    private const int BrotliWindow = 22;

    public static byte[] Compress(ReadOnlySpan<byte> plaintext, out int length)
    {
        // Pooled: the buffer is as large as the transcript; it is zeroed before it goes back.
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(plaintext.Length));
        if (!BrotliEncoder.TryCompress(plaintext, buffer, out length, BrotliQuality, BrotliWindow))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new InvalidOperationException("Brotli compression did not fit its documented bound.");
        }

        return buffer;
    }

    /// <summary>Zeroes the compressed transcript (<paramref name="length"/> bytes were written) and returns the buffer to the pool.</summary>
    public static void Return(byte[] buffer, int length)
    {
        CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public static TranscriptOpenResult Decompress(byte[] body, long plaintextLength)
    {
        var plaintext = new byte[plaintextLength];
        if (BrotliDecoder.TryDecompress(body, plaintext, out var written) && written == plaintext.Length)
        {
            return TranscriptOpenResult.Success(plaintext);
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return TranscriptOpenResult.Fail(TranscriptOpenFailure.Malformed, "The authenticated data does not decompress to the recorded length.");
    }
}
