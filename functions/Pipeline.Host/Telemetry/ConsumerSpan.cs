using System.Diagnostics;
using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;

namespace Pipeline.Host.Telemetry;

/// <summary>
/// The span a consumer (WriteAudit, EncryptTranscript) runs under: a child of the span that published
/// the message, read from the message's <c>traceparent</c>/<c>Diagnostic-Id</c>. When no listener records
/// it (telemetry off), a bare <see cref="Activity"/> still carries the trace, so the audit rows written
/// under it name the webhook's trace id either way.
/// </summary>
internal static class ConsumerSpan
{
    public static Activity? Start(string function, IReadOnlyDictionary<string, string> applicationProperties, PipelineEvent pipelineEvent)
    {
        var hasParent = TraceContext.TryExtract(applicationProperties, out var parent);
        var span = PipelineTelemetry.Source.StartActivity($"process {function}", ActivityKind.Consumer, hasParent ? parent : default(ActivityContext));
        if (span is null && hasParent)
        {
            span = new Activity($"process {function}").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start();
        }

        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(TelemetryAttributes.MessagingSystem, "servicebus");
            span.SetTag(TelemetryAttributes.MessagingOperationType, "process");
            span.SetTag(TelemetryAttributes.MessagingMessageId, pipelineEvent.EventId);
            span.SetTag(TelemetryAttributes.Function, function);
            span.SetTag(TelemetryAttributes.Vendor, pipelineEvent.Vendor);
            span.SetTag(TelemetryAttributes.Tenant, pipelineEvent.Tenant);
        }

        return span;
    }

    /// <summary>Marks the span failed, naming the error's type only (an exception's message may quote data).</summary>
    public static void Fail(Activity? span, string errorType)
    {
        span?.SetStatus(ActivityStatusCode.Error);
        span?.SetTag(TelemetryAttributes.ErrorType, errorType);
    }
}
