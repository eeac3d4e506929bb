namespace Pipeline.Host.Logging;

/// <summary>The webhook ingress's log lines (the rest of <see cref="Log"/> is in Log.cs).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Webhook {EventId} is a redelivery of an accepted event; not published again.")]
    public static partial void WebhookDuplicate(ILogger logger, string eventId);

    [LoggerMessage(101, LogLevel.Warning, "Could not claim webhook {EventId} in the deduplication table; answered 503 so the vendor retries.")]
    public static partial void ClaimFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "Writing the rejection count for {Reason} failed; it is kept for the next flush.")]
    public static partial void RejectionAuditFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "The broker refused webhook {EventId} as too large; answered 413.")]
    public static partial void EventTooLarge(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(105, LogLevel.Information, "Webhook {EventId} was claimed before but never confirmed published; publishing it again with its first acceptance time.")]
    public static partial void RepublishingClaim(ILogger logger, string eventId);

    // Counts only, once per round: a round holds up to hundreds of events, and their ids would swamp the log.
    [LoggerMessage(106, LogLevel.Warning, "{Failed} of {Marks} published marks could not be written ({Failure}) and were dropped; a redelivery of one of those events to another instance publishes the same message again.")]
    public static partial void PublishedMarksFailed(ILogger logger, int failed, int marks, string failure);

    [LoggerMessage(107, LogLevel.Warning, "The published-mark queue was full: {Dropped} marks dropped since the last report; a redelivery of one of those events to another instance publishes the same message again.")]
    public static partial void PublishedMarksDropped(ILogger logger, long dropped);
}
