using FsCheck.Xunit;
using Pipeline.Core.Transcripts;

namespace Pipeline.Tests.Transcripts;

public sealed class TranscriptEnvelopePropertyTests
{
    private static readonly byte[] Key = TranscriptEnvelope.NewDataKey();

    [Property(MaxTest = 200)]
    public bool Open_AnySealedBytes_RoundTrips(byte[]? plaintext, bool compress, string? tenant, string? transcriptId)
    {
        var context = new TranscriptContext(tenant ?? "", transcriptId ?? "");
        var bytes = plaintext ?? [];
        var compression = compress ? TranscriptCompression.Brotli : TranscriptCompression.None;

        var opened = TranscriptEnvelope.Open(Key, context, TranscriptEnvelope.Seal(Key, context, bytes, compression));

        return opened.Succeeded && opened.Plaintext!.AsSpan().SequenceEqual(bytes);
    }

    [Property(MaxTest = 200)]
    public bool Open_AnyOneBitFlipped_FailsWithoutPlaintext(byte[]? plaintext, bool compress, int position, byte bit)
    {
        var context = new TranscriptContext("acme", "tr-1");
        var sealedTranscript = TranscriptEnvelope.Seal(Key, context, plaintext ?? [], compress ? TranscriptCompression.Brotli : TranscriptCompression.None);
        var chunk = sealedTranscript.Chunks[0].ToArray();
        chunk[(int)((uint)position % (uint)chunk.Length)] ^= (byte)(1 << (bit % 8));

        var opened = TranscriptEnvelope.Open(Key, context, sealedTranscript with { Chunks = [chunk] });

        return opened.Failure == TranscriptOpenFailure.Tampered && opened.Plaintext is null;
    }
}
