using System.Diagnostics;

namespace Pipeline.Core.Telemetry;

/// <summary>
/// W3C trace context on a message's application properties, written the way the Service Bus SDK writes
/// it (<c>Diagnostic-Id</c>) and under the W3C name (<c>traceparent</c>), so one webhook is one trace
/// whichever consumer reads it, the Functions host's trigger included. No <c>tracestate</c> and no
/// baggage travel: both can arrive from the vendor's request as free text, and a message carries ids only.
/// </summary>
public static class TraceContext
{
    /// <summary>The W3C header name, as an application property.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The property the Service Bus SDK (and the Functions host's trigger) reads and writes.</summary>
    public const string DiagnosticId = "Diagnostic-Id";

    /// <summary>
    /// The trace id of the current span as 32 lowercase hex digits; null outside a W3C trace. Audit rows
    /// and the 202 answer carry it, so an operator goes from a delivery to every row it produced.
    /// </summary>
    public static string? CurrentTraceId =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.TraceId.ToHexString() : null;

    /// <summary>
    /// The trace of the request being served: the current W3C span's (telemetry on: ASP.NET Core's server
    /// span, sampled or not), else fresh random ids made without an <see cref="Activity"/>. With telemetry
    /// off nobody listens, so no span exists, and starting one only to read its ids would cost every
    /// request an activity; the ids alone are what the 202, the message and the audit rows need.
    /// </summary>
    public static RequestTrace ForRequest()
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            return new RequestTrace(current.TraceId.ToHexString(), TraceParent: null);
        }

        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        // Version 00, flags 00 (not sampled): what an unrecorded activity's Id says.
        return new RequestTrace(traceId, $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-00");
    }

    /// <summary>Adds the span's context to <paramref name="properties"/>; nothing when it is not a W3C span.</summary>
    public static void Inject(Activity? span, IDictionary<string, object> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (span is not { IdFormat: ActivityIdFormat.W3C, Id: { } id })
        {
            return;
        }

        Inject(id, properties);
    }

    /// <summary>Adds a W3C <paramref name="traceParent"/> to <paramref name="properties"/> under both names.</summary>
    public static void Inject(string traceParent, IDictionary<string, object> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        properties[TraceParent] = traceParent;
        properties[DiagnosticId] = traceParent;
    }

    /// <summary>
    /// The remote parent a message names (<c>traceparent</c>, else <c>Diagnostic-Id</c>); false when it
    /// names none or the value is not a W3C trace parent.
    /// </summary>
    public static bool TryExtract(IReadOnlyDictionary<string, string> properties, out ActivityContext parent)
    {
        ArgumentNullException.ThrowIfNull(properties);
        parent = default;
        var traceParent = properties.TryGetValue(TraceParent, out var w3c) ? w3c
            : properties.TryGetValue(DiagnosticId, out var diagnosticId) ? diagnosticId
            : null;
        return traceParent is not null && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out parent);
    }
}

/// <summary>
/// A request's W3C trace id, and its <c>traceparent</c> when no span carries it (telemetry off): then the
/// message must be given it explicitly, since <see cref="TraceContext.Inject(System.Diagnostics.Activity?, IDictionary{string, object})"/> finds no span to read.
/// </summary>
/// <param name="TraceId">32 lowercase hex digits: the 202's <c>traceId</c>.</param>
/// <param name="TraceParent">The W3C header value for the message; null when a span carries the context.</param>
public readonly record struct RequestTrace(string TraceId, string? TraceParent);
