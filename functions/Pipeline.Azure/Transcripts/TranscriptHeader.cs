using Azure;
using Azure.Data.Tables;

namespace Pipeline.Azure.Transcripts;

/// <summary>
/// The <c>header</c> row of a stored transcript, as stored: what was recorded about it and how to open it
/// (format, wrapped data key and the key version that wrapped it). The property names are the stored
/// column names; other code names a column by <c>nameof</c> on this class, never by a string of its own.
/// Values that decide how a transcript opens are nullable, so a missing one reads as malformed, not as 0.
/// </summary>
public sealed class TranscriptHeader : ITableEntity
{
    public const string RowKeyValue = "header";

    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = RowKeyValue;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string? Tenant { get; set; }

    public string? TranscriptId { get; set; }

    public string? EventId { get; set; }

    public DateTimeOffset? StoredAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public int? FormatVersion { get; set; }

    public string? Algorithm { get; set; }

    /// <summary>A <see cref="Core.Transcripts.TranscriptCompression"/> stored as its number (an enum property would be stored as text).</summary>
    public int? Compression { get; set; }

    public long? PlaintextLength { get; set; }

    public byte[]? KeyCheck { get; set; }

    public int? ChunkCount { get; set; }

    /// <summary>The versioned id of the key-encryption key that wrapped <see cref="WrappedKey"/>.</summary>
    public string? KeyId { get; set; }

    public string? WrapAlgorithm { get; set; }

    /// <summary>The wrapped data key; deleting the header crypto-shreds the transcript.</summary>
    public byte[]? WrappedKey { get; set; }

    public int? SubjectCount { get; set; }

    /// <summary>The subject pseudonyms, space-separated, so a delete finds its index rows by key.</summary>
    public string? Subjects { get; set; }

    /// <summary>The subject pseudonyms listed in <see cref="Subjects"/>; null when the column was not read or is missing.</summary>
    public IReadOnlyList<string>? SubjectList() => Subjects?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
