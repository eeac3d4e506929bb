using Pipeline.Core.Privacy;

namespace Pipeline.Host.Logging;

/// <summary>Every log line of the handler: structured fields, never a payload, secret or PII value.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Function {Function} failed; the invocation will be retried.")]
    public static partial void FunctionFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Webhook {EventId} accepted from {Vendor} for tenant {Tenant}.")]
    public static partial void WebhookAccepted(ILogger logger, string eventId, string vendor, string tenant);

    // Debug, not Warning: rejections are counted per tenant, reason and minute in the audit table, and a
    // per-request warning would let anyone flood the logs (and their ingestion bill) with bad requests.
    [LoggerMessage(3, LogLevel.Debug, "Webhook rejected: {Reason} ({Vendor}, tenant {Tenant}).")]
    public static partial void WebhookRejected(ILogger logger, string reason, string vendor, string tenant);

    [LoggerMessage(4, LogLevel.Error, "Publishing webhook {EventId} failed; answered 503 so the vendor retries.")]
    public static partial void PublishFailed(ILogger logger, string eventId, Exception exception);

    // The subject is the raw identifier: classified, so the redactor logs its pseudonym instead.
    [LoggerMessage(5, LogLevel.Information, "Audit rows ({Rows}) written for event {EventId} about {Subject}.")]
    public static partial void AuditWritten(ILogger logger, string eventId, int rows, [Subject] string? subject);

    [LoggerMessage(6, LogLevel.Information, "Transcript event {EventId}: {Outcome}.")]
    public static partial void TranscriptHandled(ILogger logger, string eventId, Pipeline.Azure.Transcripts.TranscriptHandlingOutcome outcome);
}
