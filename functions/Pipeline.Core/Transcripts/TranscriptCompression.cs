namespace Pipeline.Core.Transcripts;

/// <summary>How the plaintext is compressed before it is encrypted. The value is part of the format.</summary>
public enum TranscriptCompression : byte
{
    /// <summary>Stored as is.</summary>
    None = 0,

    /// <summary>Brotli (RFC 7932) at quality 0, its fastest: transcripts are text and still shrink several-fold.</summary>
    Brotli = 1,
}
