namespace Pipeline.Core.Transcripts;

/// <summary>Why a sealed transcript did not open.</summary>
public enum TranscriptOpenFailure
{
    /// <summary>It opened.</summary>
    None,

    /// <summary>The format version is not one this code reads.</summary>
    UnsupportedVersion,

    /// <summary>The stored values are not a well-formed envelope (bad lengths, unknown compression).</summary>
    Malformed,

    /// <summary>The data key is not the one the transcript was sealed with (or could not be unwrapped).</summary>
    WrongKey,

    /// <summary>A chunk failed authentication: altered, reordered, or taken from another transcript or tenant.</summary>
    Tampered,

    /// <summary>Chunks are missing at the end.</summary>
    Truncated,

    /// <summary>The plaintext would exceed the allowed size.</summary>
    TooLarge,
}

/// <summary>
/// The outcome of opening a sealed transcript: the plaintext, or a reason and never any plaintext.
/// </summary>
public sealed record TranscriptOpenResult
{
    private TranscriptOpenResult(byte[]? plaintext, TranscriptOpenFailure failure, string reason)
    {
        Plaintext = plaintext;
        Failure = failure;
        Reason = reason;
    }

    /// <summary>The plaintext; null unless <see cref="Succeeded"/>.</summary>
    public byte[]? Plaintext { get; }

    /// <summary><see cref="TranscriptOpenFailure.None"/> on success.</summary>
    public TranscriptOpenFailure Failure { get; }

    /// <summary>A message naming the failure; never holds key material or plaintext.</summary>
    public string Reason { get; }

    /// <summary>True when the plaintext was authenticated and recovered.</summary>
    public bool Succeeded => Failure == TranscriptOpenFailure.None;

    /// <summary>A successful open.</summary>
    public static TranscriptOpenResult Success(byte[] plaintext) => new(plaintext, TranscriptOpenFailure.None, "opened");

    /// <summary>A failed open with its reason.</summary>
    public static TranscriptOpenResult Fail(TranscriptOpenFailure failure, string reason) => new(null, failure, reason);
}
