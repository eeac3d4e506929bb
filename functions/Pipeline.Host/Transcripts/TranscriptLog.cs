namespace Pipeline.Host.Logging;

/// <summary>The Transcripts API's log lines (ids 40–49): ids and failure kinds only, never text.</summary>
internal static partial class Log
{
    [LoggerMessage(40, LogLevel.Warning, "Transcript of event {EventId} (tenant {Tenant}) did not open: {Failure}.")]
    public static partial void TranscriptUnreadable(ILogger logger, string tenant, string eventId, string failure);
}
