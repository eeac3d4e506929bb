using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.Transcripts;

namespace Pipeline.Tests.Transcripts;

public sealed class TranscriptEnvelopeTests
{
    private const int Chunk = TranscriptEnvelope.MaxChunkPlaintextBytes;
    private static readonly TranscriptContext Context = new("acme", "tr-1");

    public static TheoryData<int, TranscriptCompression> Sizes()
    {
        var data = new TheoryData<int, TranscriptCompression>();
        foreach (var size in new[] { 0, 1, Chunk - 1, Chunk, Chunk + 1, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024 })
        {
            data.Add(size, TranscriptCompression.None);
            data.Add(size, TranscriptCompression.Brotli);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Open_RandomBytesSealed_ReturnsSamePlaintext(int size, TranscriptCompression compression)
    {
        var plaintext = RandomNumberGenerator.GetBytes(size);
        var key = TranscriptEnvelope.NewDataKey();

        var sealedTranscript = TranscriptEnvelope.Seal(key, Context, plaintext, compression);
        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript);

        Assert.True(opened.Succeeded, opened.Reason);
        Assert.Equal(plaintext, opened.Plaintext);
        Assert.Equal(size, sealedTranscript.PlaintextLength);
        Assert.All(sealedTranscript.Chunks, chunk => Assert.InRange(chunk.Length, 28, TranscriptEnvelope.MaxChunkBytes));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Open_TextSealed_ReturnsSamePlaintext(int size, TranscriptCompression compression)
    {
        var plaintext = TranscriptText(size);
        var key = TranscriptEnvelope.NewDataKey();

        var opened = TranscriptEnvelope.Open(key, Context, TranscriptEnvelope.Seal(key, Context, plaintext, compression));

        Assert.True(opened.Succeeded, opened.Reason);
        Assert.Equal(plaintext, opened.Plaintext);
    }

    [Fact]
    public void Seal_TextWithBrotli_StoresFarLessThanThePlaintext()
    {
        var plaintext = TranscriptText(1024 * 1024);

        var sealedTranscript = TranscriptEnvelope.Seal(TranscriptEnvelope.NewDataKey(), Context, plaintext, TranscriptCompression.Brotli);

        Assert.True(sealedTranscript.CiphertextLength < plaintext.Length / 3, $"{sealedTranscript.CiphertextLength} bytes stored");
    }

    [Fact]
    public void Seal_SamePlaintextTwice_UsesDistinctNoncesAndCiphertext()
    {
        var key = TranscriptEnvelope.NewDataKey();
        var plaintext = RandomNumberGenerator.GetBytes(3 * Chunk);

        var first = TranscriptEnvelope.Seal(key, Context, plaintext, TranscriptCompression.None);
        var second = TranscriptEnvelope.Seal(key, Context, plaintext, TranscriptCompression.None);

        var nonces = first.Chunks.Concat(second.Chunks).Select(c => Convert.ToHexString(c.Span[..TranscriptEnvelope.NonceBytes])).ToList();
        Assert.Equal(nonces.Count, nonces.Distinct().Count());
        Assert.False(first.Chunks[0].Span.SequenceEqual(second.Chunks[0].Span));
    }

    [Fact]
    public void Seal_KeyOfWrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => TranscriptEnvelope.Seal(new byte[16], Context, [1, 2, 3]));

    [Theory]
    [InlineData(TranscriptCompression.None)]
    [InlineData(TranscriptCompression.Brotli)]
    public void Open_AnyFlippedByteInAnyChunk_FailsTamperedWithoutPlaintext(TranscriptCompression compression)
    {
        var key = TranscriptEnvelope.NewDataKey();
        var sealedTranscript = TranscriptEnvelope.Seal(key, Context, RandomNumberGenerator.GetBytes((2 * Chunk) + 100), compression);
        Assert.Equal(3, sealedTranscript.Chunks.Count);

        for (var c = 0; c < sealedTranscript.Chunks.Count; c++)
        {
            var length = sealedTranscript.Chunks[c].Length;
            // Every nonce byte, every tag byte, and ciphertext bytes at the start, middle and end.
            var positions = Enumerable.Range(0, 12)
                .Concat(Enumerable.Range(length - 16, 16))
                .Concat([12, 13, length / 2, length - 17]);
            foreach (var position in positions)
            {
                var opened = TranscriptEnvelope.Open(key, Context, WithChunk(sealedTranscript, c, Flip(sealedTranscript.Chunks[c], position)));

                Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
                Assert.Null(opened.Plaintext);
                Assert.Contains($"Chunk {c}", opened.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Open_SwappedChunks_FailsTampered()
    {
        var (key, sealedTranscript) = SealThreeChunks();
        var chunks = sealedTranscript.Chunks.ToArray();
        (chunks[0], chunks[1]) = (chunks[1], chunks[0]);

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { Chunks = chunks });

        Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
        Assert.Null(opened.Plaintext);
    }

    [Fact]
    public void Open_DroppedMiddleChunk_FailsTampered()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { Chunks = [sealedTranscript.Chunks[0], sealedTranscript.Chunks[2]] });

        Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
        Assert.Null(opened.Plaintext);
    }

    [Fact]
    public void Open_DroppedFinalChunk_FailsTruncated()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { Chunks = sealedTranscript.Chunks.Take(2).ToArray() });

        Assert.Equal(TranscriptOpenFailure.Truncated, opened.Failure);
        Assert.Null(opened.Plaintext);
    }

    [Fact]
    public void Open_NoChunks_FailsTruncated()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { Chunks = [] });

        Assert.Equal(TranscriptOpenFailure.Truncated, opened.Failure);
    }

    [Fact]
    public void Open_AppendedChunk_FailsTampered()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { Chunks = [.. sealedTranscript.Chunks, sealedTranscript.Chunks[1]] });

        Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
    }

    [Theory]
    [InlineData("acme", "tr-2")]
    [InlineData("globex", "tr-1")]
    [InlineData("acme", "TR-1")]
    public void Open_SealedForAnotherTranscriptOrTenant_FailsTampered(string tenant, string transcriptId)
    {
        // Same data key on purpose: only the associated data can tell the contexts apart.
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, new TranscriptContext(tenant, transcriptId), sealedTranscript);

        Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
        Assert.Null(opened.Plaintext);
    }

    [Fact]
    public void Open_ChunkMovedFromAnotherTranscriptAtSameIndex_FailsTampered()
    {
        var key = TranscriptEnvelope.NewDataKey();
        var plaintext = RandomNumberGenerator.GetBytes(3 * Chunk);
        var mine = TranscriptEnvelope.Seal(key, Context, plaintext, TranscriptCompression.None);
        var other = TranscriptEnvelope.Seal(key, Context with { TranscriptId = "tr-2" }, plaintext, TranscriptCompression.None);

        var opened = TranscriptEnvelope.Open(key, Context, WithChunk(mine, 1, other.Chunks[1]));

        Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
        Assert.Contains("Chunk 1", opened.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WrongKey_FailsWrongKey()
    {
        var (_, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(TranscriptEnvelope.NewDataKey(), Context, sealedTranscript);

        Assert.Equal(TranscriptOpenFailure.WrongKey, opened.Failure);
        Assert.Null(opened.Plaintext);
    }

    [Fact]
    public void Open_KeyCheckAltered_FailsWrongKey()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { KeyCheck = Flip(sealedTranscript.KeyCheck, 3) });

        Assert.Equal(TranscriptOpenFailure.WrongKey, opened.Failure);
    }

    [Fact]
    public void Open_PlaintextLengthAltered_FailsTampered()
    {
        var (key, sealedTranscript) = SealThreeChunks(TranscriptCompression.Brotli);

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { PlaintextLength = sealedTranscript.PlaintextLength - 1 });

        Assert.Equal(TranscriptOpenFailure.Tampered, opened.Failure);
    }

    [Fact]
    public void Open_CompressionFlagAltered_Fails()
    {
        var (key, sealedTranscript) = SealThreeChunks(TranscriptCompression.Brotli);

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { Compression = TranscriptCompression.None });

        Assert.False(opened.Succeeded);
        Assert.Null(opened.Plaintext);
    }

    [Fact]
    public void Open_UnknownVersion_FailsUnsupportedVersion()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript with { FormatVersion = 2 });

        Assert.Equal(TranscriptOpenFailure.UnsupportedVersion, opened.Failure);
    }

    [Fact]
    public void Open_OverTheSizeLimit_FailsTooLarge()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, sealedTranscript, maxPlaintextBytes: 1024);

        Assert.Equal(TranscriptOpenFailure.TooLarge, opened.Failure);
    }

    [Fact]
    public void Open_ChunkShorterThanNonceAndTag_FailsMalformed()
    {
        var (key, sealedTranscript) = SealThreeChunks();

        var opened = TranscriptEnvelope.Open(key, Context, WithChunk(sealedTranscript, 2, new byte[20]));

        Assert.Equal(TranscriptOpenFailure.Malformed, opened.Failure);
    }

    private static (byte[] Key, SealedTranscript Sealed) SealThreeChunks(TranscriptCompression compression = TranscriptCompression.None)
    {
        var key = TranscriptEnvelope.NewDataKey();
        // Random bytes do not compress, so Brotli output still spans three chunks.
        return (key, TranscriptEnvelope.Seal(key, Context, RandomNumberGenerator.GetBytes((2 * Chunk) + 1000), compression));
    }

    private static SealedTranscript WithChunk(SealedTranscript sealedTranscript, int index, ReadOnlyMemory<byte> chunk)
    {
        var chunks = sealedTranscript.Chunks.ToArray();
        chunks[index] = chunk;
        return sealedTranscript with { Chunks = chunks };
    }

    private static byte[] Flip(ReadOnlyMemory<byte> bytes, int position)
    {
        var copy = bytes.ToArray();
        copy[position] ^= 0x01;
        return copy;
    }

    internal static byte[] TranscriptText(int size)
    {
        var random = new Random(size);
        var words = new[] { "the", "quarterly", "pipeline", "review", "customer", "renewal", "so", "I", "think", "we", "should", "follow", "up", "next", "week", "with", "legal" };
        var text = new StringBuilder(size + 64);
        while (text.Length < size)
        {
            text.Append("Speaker ").Append(random.Next(1, 4)).Append(": ");
            for (var i = random.Next(5, 25); i > 0; i--)
            {
                text.Append(words[random.Next(words.Length)]).Append(' ');
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, size));
    }
}
