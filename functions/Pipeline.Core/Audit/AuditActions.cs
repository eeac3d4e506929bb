using Pipeline.Core.Events;

namespace Pipeline.Core.Audit;

/// <summary>The audit vocabulary and the rows the pipeline's own events produce.</summary>
public static class AuditActions
{
    /// <summary>A webhook passed verification and was published.</summary>
    public const string EventAccepted = "event.accepted";

    /// <summary>A transcript was encrypted and stored.</summary>
    public const string TranscriptStored = "transcript.stored";

    /// <summary>A transcript was not stored because the tenant's policy says so (StoreTranscripts = false).</summary>
    public const string TranscriptSkipped = "transcript.skipped";

    /// <summary>A transcript could not be stored (too large, malformed, unknown tenant).</summary>
    public const string TranscriptRejected = "transcript.rejected";

    /// <summary>A caller read (or tried to read) a transcript through the API.</summary>
    public const string TranscriptRead = "transcript.read";

    /// <summary>A caller deleted (crypto-shredded), or tried to delete, a transcript through the API.</summary>
    public const string TranscriptDeleted = "transcript.deleted";

    /// <summary>A caller read a tenant's audit rows.</summary>
    public const string AuditQueried = "audit.queried";

    /// <summary>A caller exported everything held about a subject (GDPR Art. 15/20); the row names the pseudonym only.</summary>
    public const string SubjectExported = "subject.exported";

    /// <summary>A caller erased a subject's transcripts (GDPR Art. 17); the row names the pseudonym only.</summary>
    public const string SubjectErased = "subject.erased";

    /// <summary>The retention purge ran for a tenant.</summary>
    public const string RetentionPurged = "retention.purged";

    /// <summary>An operator re-published dead letters to the topic; the row names the operator, counts and message ids.</summary>
    public const string DeadLetterReplayed = "deadletter.replayed";

    /// <summary>An operator (or retention, or an erasure) removed dead letters; the row names who, counts and message ids.</summary>
    public const string DeadLetterPurged = "deadletter.purged";

    /// <summary>
    /// A consumer met a message it can never process (not a pipeline event, or its rows cannot be built) and
    /// settled it instead of failing its whole batch; the row keeps ids, size and reason, never the body.
    /// </summary>
    public const string MessageRejected = "message.rejected";

    /// <summary>The scheduled verification of the previous day's audit chain ran for a tenant; failure names the first break.</summary>
    public const string ChainVerified = "audit.chain.verified";

    /// <summary>The row recording that an event was accepted. Names no payload value.</summary>
    public static AuditEntry ForAcceptedEvent(PipelineEvent accepted) => AuditEntry.ByVendor(
        accepted.Vendor,
        accepted.Tenant,
        accepted.ReceivedAt,
        EventAccepted,
        AuditOutcome.Success,
        new AuditResource("event", accepted.EventId),
        eventId: accepted.EventId,
        details: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["vendor"] = accepted.Vendor,
            ["eventType"] = accepted.EventType,
        });
}
