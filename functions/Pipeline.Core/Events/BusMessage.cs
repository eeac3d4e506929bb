namespace Pipeline.Core.Events;

/// <summary>
/// A message for the <c>pipeline-events</c> topic. The application properties are what the
/// subscriptions filter on (<c>hasTranscript</c>) and what operators see without opening the body.
/// </summary>
/// <param name="MessageId">Broker duplicate-detection id; equals the event id.</param>
/// <param name="CorrelationId">Ties the message to the webhook request that produced it.</param>
/// <param name="ContentType">MIME type of <paramref name="Body"/>.</param>
/// <param name="Body">The serialized <see cref="PipelineEvent"/>.</param>
/// <param name="Properties">Application properties: strings and booleans only.</param>
public sealed record BusMessage(
    string MessageId,
    string CorrelationId,
    string ContentType,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, object> Properties)
{
    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>
    /// Builds the topic message for an accepted event. <paramref name="traceParent"/>, when given, is the
    /// request's W3C context for a request no span carries (telemetry off, see <c>TraceContext.ForRequest</c>).
    /// </summary>
    public static BusMessage ForEvent(PipelineEvent pipelineEvent, string correlationId, string? traceParent = null)
    {
        var body = EventSerializer.Serialize(pipelineEvent);
        return new(
            pipelineEvent.EventId,
            correlationId,
            EventSerializer.IsCompressed(body) ? EventSerializer.CompressedContentType : EventSerializer.JsonContentType,
            body,
            PropertiesOf(pipelineEvent, traceParent));
    }

    private static Dictionary<string, object> PropertiesOf(PipelineEvent pipelineEvent, string? traceParent)
    {
        // Sized for its entries (no regrowth); the flag boxed once, not per message.
        var properties = new Dictionary<string, object>(traceParent is null ? 4 : 6, StringComparer.Ordinal)
        {
            ["tenant"] = pipelineEvent.Tenant,
            ["vendor"] = pipelineEvent.Vendor,
            ["eventType"] = pipelineEvent.EventType,
            ["hasTranscript"] = pipelineEvent.HasTranscript ? True : False,
        };
        if (traceParent is not null)
        {
            Telemetry.TraceContext.Inject(traceParent, properties);
        }

        return properties;
    }

    /// <summary>True when the <c>transcripts</c> subscription's filter selects this message.</summary>
    public bool HasTranscript => Properties.TryGetValue("hasTranscript", out var value) && value is true;
}
