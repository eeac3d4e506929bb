using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Instrumentation.Http;

namespace Pipeline.Host.Telemetry;

/// <summary>
/// What the framework's spans may keep. A request path can hold a subject (<c>/api/subjects/…</c>), a
/// storage URL holds table keys, a user agent is whatever the sender wrote: so a server span keeps its
/// route template (<c>http.route</c>) and no path, query or user agent, and a client span keeps scheme,
/// host and port only. Exceptions are never recorded as events (their messages may quote data).
/// </summary>
internal static class TelemetryRedaction
{
    private static readonly string[] ServerTagsDropped = ["url.path", "url.query", "user_agent.original", "client.address", "client.port"];

    public static void Configure(AspNetCoreTraceInstrumentationOptions options)
    {
        options.RecordException = false;
        // At the response, after the instrumentation has written every tag it writes: once per request.
        options.EnrichWithHttpResponse = (span, _) => Drop(span);
    }

    public static void Configure(HttpClientTraceInstrumentationOptions options)
    {
        options.RecordException = false;
        options.EnrichWithHttpRequestMessage = (span, request) =>
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri)
            {
                span.SetTag("url.full", uri.GetLeftPart(UriPartial.Authority) + "/");
            }

            span.SetTag("url.path", null);
            span.SetTag("url.query", null);
        };
    }

    private static void Drop(System.Diagnostics.Activity span)
    {
        foreach (var tag in ServerTagsDropped)
        {
            span.SetTag(tag, null);
        }
    }
}
