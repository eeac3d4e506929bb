using System.Diagnostics;
using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;

namespace Pipeline.Host.Telemetry;

/// <summary>
/// Wraps whichever publisher the mode registered: a producer span around the send, and that span's
/// W3C context on the message (<c>traceparent</c> and <c>Diagnostic-Id</c>), so the consumers continue
/// the webhook's trace. When no span exists (telemetry off) the message keeps the context the ingress
/// gave it (<c>TraceContext.ForRequest</c>): it is what gives the event's audit rows the trace id the 202 named.
/// </summary>
internal sealed class TracedEventPublisher(IEventPublisher inner, string topic) : IEventPublisher
{
    /// <summary>The mode's publisher (or a caller's) that does the sending.</summary>
    public IEventPublisher Inner => inner;

    public async Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var span = PipelineTelemetry.Source.StartActivity($"send {topic}", ActivityKind.Producer);
        span?.SetTag(TelemetryAttributes.MessagingSystem, "servicebus");
        span?.SetTag(TelemetryAttributes.MessagingDestination, topic);
        span?.SetTag(TelemetryAttributes.MessagingOperationType, "send");
        span?.SetTag(TelemetryAttributes.MessagingMessageId, message.MessageId);

        // Room for the two trace properties up front: a copy that does not regrow.
        var properties = new Dictionary<string, object>(message.Properties.Count + 2, StringComparer.Ordinal);
        foreach (var (name, value) in message.Properties)
        {
            properties[name] = value;
        }

        TraceContext.Inject(span ?? Activity.Current, properties);
        try
        {
            await inner.PublishAsync(message with { Properties = properties }, cancellationToken);
        }
        catch (Exception e) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error);
            span.SetTag(TelemetryAttributes.ErrorType, e.GetType().Name);
            throw;
        }
    }
}
