namespace Pipeline.Core.Transcripts;

/// <summary>
/// A transcript after <see cref="TranscriptEnvelope.Seal"/>: what is stored beside the wrapped data key.
/// Nothing here is secret; every value is either authenticated by the chunks' associated data or
/// checked against them when opening.
/// </summary>
/// <param name="FormatVersion">The envelope format; <see cref="TranscriptEnvelope.FormatVersion"/> today.</param>
/// <param name="Compression">How the plaintext was compressed before encryption.</param>
/// <param name="PlaintextLength">Length of the original plaintext in bytes.</param>
/// <param name="KeyCheck">A keyed digest of the data key, so the wrong key is told apart from tampering.</param>
/// <param name="Chunks">Each chunk is <c>nonce (12) ‖ ciphertext ‖ tag (16)</c>, at most <see cref="TranscriptEnvelope.MaxChunkBytes"/>.</param>
public sealed record SealedTranscript(
    byte FormatVersion,
    TranscriptCompression Compression,
    long PlaintextLength,
    ReadOnlyMemory<byte> KeyCheck,
    IReadOnlyList<ReadOnlyMemory<byte>> Chunks)
{
    /// <summary>Total stored bytes of the chunks.</summary>
    public long CiphertextLength => Chunks.Sum(chunk => (long)chunk.Length);
}
