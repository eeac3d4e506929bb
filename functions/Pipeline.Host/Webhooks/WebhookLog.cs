namespace Pipeline.Host;

/// <summary>The webhook ingress's log lines (the rest of <see cref="Log"/> is in Log.cs).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Webhook {EventId} is a redelivery of an accepted event; not published again.")]
    public static partial void WebhookDuplicate(ILogger logger, string eventId);

    [LoggerMessage(101, LogLevel.Warning, "Could not check whether webhook {EventId} was seen; publishing it (the broker deduplicates).")]
    public static partial void SeenLookupFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(102, LogLevel.Warning, "Webhook {EventId} was published but could not be marked seen; a redelivery will be published again.")]
    public static partial void MarkSeenFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "Writing the rejection count for {Reason} failed; it is kept for the next flush.")]
    public static partial void RejectionAuditFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "The broker refused webhook {EventId} as too large; answered 413.")]
    public static partial void EventTooLarge(ILogger logger, string eventId, Exception exception);
}
