namespace Pipeline.Azure.Transcripts;

/// <summary>What is recorded about a stored transcript besides its envelope. No plaintext, name or email.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="TranscriptId">The vendor's transcript id.</param>
/// <param name="EventId">The pipeline event that carried it.</param>
/// <param name="StoredAt">When it was accepted (the event's time, so a redelivery records the same).</param>
/// <param name="ExpiresAt">When retention deletes it.</param>
/// <param name="SubjectPseudonyms">Pseudonyms of the participants, for the erasure index.</param>
public sealed record TranscriptRecord(
    string Tenant,
    string TranscriptId,
    string EventId,
    DateTimeOffset StoredAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> SubjectPseudonyms);

/// <summary>How a write ended.</summary>
public enum TranscriptWriteOutcome
{
    /// <summary>Written now.</summary>
    Stored,

    /// <summary>An earlier delivery already wrote it; nothing changed.</summary>
    AlreadyStored,

    /// <summary>Larger than one entity-group transaction carries; nothing written.</summary>
    TooLarge,

    /// <summary>Another event already stored a transcript under this id; nothing written, no index row added.</summary>
    Conflict,
}

/// <summary>A transcript read back from the table, still sealed.</summary>
/// <param name="Record">What was recorded about it (subjects are not read back).</param>
/// <param name="Protected">The wrapped key and envelope, with the chunks found.</param>
/// <param name="ChunkCount">How many chunks the header says were written.</param>
public sealed record StoredTranscript(TranscriptRecord Record, ProtectedTranscript Protected, int ChunkCount);
