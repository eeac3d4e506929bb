using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Pipeline.Core.Transcripts;

/// <summary>
/// The transcript envelope format, version 1: optional Brotli compression, then AES-256-GCM over chunks
/// of at most <see cref="MaxChunkPlaintextBytes"/> with a fresh data key per transcript.
/// </summary>
/// <remarks>
/// <para>Each chunk is stored as <c>nonce (12) ‖ ciphertext ‖ tag (16)</c>, so a chunk is at most 64 KiB,
/// one Table Storage binary property. The nonce is 8 random bytes per transcript followed by the chunk
/// index (big-endian), unique per chunk under a key that is never reused for another transcript.</para>
/// <para>The associated data of chunk <c>i</c> (<see cref="TranscriptChunkBinding"/>) names the format, the
/// plaintext length, tenant, transcript id, the chunk index and whether it is the final one. A chunk therefore
/// only opens at its own index, in its own transcript and tenant, with the header it was sealed under, and
/// only the last chunk opens as final: reordering, dropping, truncating, appending or moving chunks fails.</para>
/// <para>GCM is not key-committing, so the header carries a key check (HMAC-SHA256 of a fixed label under
/// the data key, 16 bytes): the wrong key is reported as such, and no second key can open the chunks.</para>
/// </remarks>
public static class TranscriptEnvelope
{
    /// <summary>The format this code writes.</summary>
    public const byte FormatVersion = 1;

    /// <summary>The algorithm name stored with a sealed transcript.</summary>
    public const string Algorithm = "A256GCM";

    /// <summary>Data key length: 256 bits.</summary>
    public const int DataKeyBytes = 32;

    /// <summary>Nonce length.</summary>
    public const int NonceBytes = 12;

    /// <summary>Tag length.</summary>
    public const int TagBytes = 16;

    /// <summary>Largest stored chunk: 64 KiB, the Table Storage limit for one binary property.</summary>
    public const int MaxChunkBytes = 64 * 1024;

    /// <summary>Largest plaintext (after compression) one chunk carries.</summary>
    public const int MaxChunkPlaintextBytes = MaxChunkBytes - NonceBytes - TagBytes;

    /// <summary>Largest transcript <see cref="Open"/> accepts unless told otherwise.</summary>
    public const long DefaultMaxPlaintextBytes = 64L * 1024 * 1024;

    private const int KeyCheckBytes = 16;
    private static readonly byte[] KeyCheckLabel = "pipeline/transcript/v1/key-check"u8.ToArray();

    /// <summary>A fresh 256-bit data key from the system's cryptographic random number generator.</summary>
    public static byte[] NewDataKey() => RandomNumberGenerator.GetBytes(DataKeyBytes);

    /// <summary>Compresses (optionally) and encrypts <paramref name="plaintext"/> under <paramref name="dataKey"/>.</summary>
    public static SealedTranscript Seal(
        ReadOnlySpan<byte> dataKey,
        TranscriptContext context,
        ReadOnlySpan<byte> plaintext,
        TranscriptCompression compression = TranscriptCompression.Brotli)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (dataKey.Length != DataKeyBytes)
        {
            throw new ArgumentException($"The data key must be {DataKeyBytes} bytes.", nameof(dataKey));
        }

        byte[]? compressed = null;
        var compressedLength = 0;
        var body = plaintext;
        switch (compression)
        {
            case TranscriptCompression.None:
                break;
            case TranscriptCompression.Brotli:
                compressed = TranscriptBrotli.Compress(plaintext, out compressedLength);
                body = compressed.AsSpan(0, compressedLength);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown compression.");
        }

        try
        {
            var count = Math.Max(1, (body.Length + MaxChunkPlaintextBytes - 1) / MaxChunkPlaintextBytes);
            var chunks = new ReadOnlyMemory<byte>[count];
            var aad = TranscriptChunkBinding.Create(FormatVersion, compression, plaintext.Length, context);
            Span<byte> nonce = stackalloc byte[NonceBytes];
            RandomNumberGenerator.Fill(nonce[..8]);

            using var aes = new AesGcm(dataKey, TagBytes);
            for (var i = 0; i < count; i++)
            {
                var part = body.Slice(i * MaxChunkPlaintextBytes, Math.Min(MaxChunkPlaintextBytes, body.Length - (i * MaxChunkPlaintextBytes)));
                BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], (uint)i);
                TranscriptChunkBinding.SetPosition(aad, i, final: i == count - 1);

                var chunk = new byte[NonceBytes + part.Length + TagBytes];
                nonce.CopyTo(chunk);
                aes.Encrypt(nonce, part, chunk.AsSpan(NonceBytes, part.Length), chunk.AsSpan(NonceBytes + part.Length), aad);
                chunks[i] = chunk;
            }

            return new SealedTranscript(FormatVersion, compression, plaintext.Length, KeyCheck(dataKey), chunks);
        }
        finally
        {
            if (compressed is not null)
            {
                TranscriptBrotli.Return(compressed, compressedLength);
            }
        }
    }

    /// <summary>
    /// Authenticates and decrypts every chunk, then decompresses. Returns the plaintext only when all of it
    /// is authentic; otherwise a failure with its reason and no plaintext at all.
    /// </summary>
    public static TranscriptOpenResult Open(
        ReadOnlySpan<byte> dataKey,
        TranscriptContext context,
        SealedTranscript sealedTranscript,
        long maxPlaintextBytes = DefaultMaxPlaintextBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sealedTranscript);

        if (sealedTranscript.FormatVersion != FormatVersion)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.UnsupportedVersion, $"Envelope format version {sealedTranscript.FormatVersion} is not supported.");
        }

        if (!Enum.IsDefined(sealedTranscript.Compression))
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.Malformed, "The envelope names an unknown compression.");
        }

        if (sealedTranscript.PlaintextLength < 0 || sealedTranscript.KeyCheck.Length != KeyCheckBytes)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.Malformed, "The envelope header is malformed.");
        }

        if (sealedTranscript.PlaintextLength > maxPlaintextBytes || sealedTranscript.PlaintextLength > Array.MaxLength)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.TooLarge, "The transcript exceeds the allowed size.");
        }

        if (dataKey.Length != DataKeyBytes
            || !CryptographicOperations.FixedTimeEquals(KeyCheck(dataKey), sealedTranscript.KeyCheck.Span))
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.WrongKey, "The data key is not the one this transcript was sealed with.");
        }

        var chunks = sealedTranscript.Chunks;
        if (chunks.Count == 0)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.Truncated, "The transcript has no chunks.");
        }

        long total = 0;
        foreach (var chunk in chunks)
        {
            if (chunk.Length is < NonceBytes + TagBytes or > MaxChunkBytes)
            {
                return TranscriptOpenResult.Fail(TranscriptOpenFailure.Malformed, "A chunk has an impossible length.");
            }

            total += chunk.Length - NonceBytes - TagBytes;
        }

        var bound = sealedTranscript.Compression == TranscriptCompression.None
            ? sealedTranscript.PlaintextLength
            : BrotliEncoder.GetMaxCompressedLength((int)Math.Min(int.MaxValue / 2, sealedTranscript.PlaintextLength));
        if (total > bound)
        {
            return TranscriptOpenResult.Fail(TranscriptOpenFailure.Tampered, "The chunks hold more data than the header records (chunks added or header altered).");
        }

        // Uncompressed, the decrypted body is the plaintext and is handed out; otherwise it is zeroed after use.
        var body = new byte[total];
        var handedOut = false;
        try
        {
            var aad = TranscriptChunkBinding.Create(sealedTranscript.FormatVersion, sealedTranscript.Compression, sealedTranscript.PlaintextLength, context);
            using var aes = new AesGcm(dataKey, TagBytes);
            var offset = 0;
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i].Span;
                var length = chunk.Length - NonceBytes - TagBytes;
                var final = i == chunks.Count - 1;
                if (!TryDecrypt(aes, chunk, body.AsSpan(offset, length), aad, i, final))
                {
                    // The last chunk present that opens as a non-final chunk means the rest were cut off.
                    var truncated = final && TryDecrypt(aes, chunk, body.AsSpan(offset, length), aad, i, final: false);
                    return truncated
                        ? TranscriptOpenResult.Fail(TranscriptOpenFailure.Truncated, $"The transcript ends after chunk {i}, which is not its final chunk.")
                        : TranscriptOpenResult.Fail(TranscriptOpenFailure.Tampered, $"Chunk {i} failed authentication (altered, reordered or from another transcript).");
                }

                offset += length;
            }

            if (sealedTranscript.Compression == TranscriptCompression.None)
            {
                if (body.Length != sealedTranscript.PlaintextLength)
                {
                    return TranscriptOpenResult.Fail(TranscriptOpenFailure.Malformed, "The plaintext length does not match the header.");
                }

                handedOut = true;
                return TranscriptOpenResult.Success(body);
            }

            return TranscriptBrotli.Decompress(body, sealedTranscript.PlaintextLength);
        }
        finally
        {
            if (!handedOut)
            {
                CryptographicOperations.ZeroMemory(body);
            }
        }
    }

    private static bool TryDecrypt(AesGcm aes, ReadOnlySpan<byte> chunk, Span<byte> destination, byte[] aad, int index, bool final)
    {
        TranscriptChunkBinding.SetPosition(aad, index, final);
        try
        {
            aes.Decrypt(chunk[..NonceBytes], chunk[NonceBytes..^TagBytes], chunk[^TagBytes..], destination, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // AesGcm zeroes the destination when the tag does not match.
            return false;
        }
    }

    private static byte[] KeyCheck(ReadOnlySpan<byte> dataKey)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(dataKey, KeyCheckLabel, mac);
        return mac[..KeyCheckBytes].ToArray();
    }
}
