using System.Buffers;
using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// The 202 body: the event id, whether this webhook was already accepted before, and the W3C trace id
/// of this delivery (the trace, and the audit rows, of the event it published).
/// </summary>
internal sealed record WebhookAccepted(string EventId, bool Duplicate, string? TraceId) : IResult
{
    /// <summary>
    /// Written with its length, from the source-generated serializer: the framework's JSON result resolves its
    /// options and logger from the request's services, which made every webhook open a DI scope, and wrote the
    /// small body chunked.
    /// </summary>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(this, WebhookJsonContext.Default.WebhookAccepted);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        response.ContentType = MediaTypeNames.Application.Json + "; charset=utf-8";
        response.ContentLength = body.Length;

        // Buffered, not flushed: Kestrel sends headers and body together when the request ends.
        response.BodyWriter.Write(body);
        return Task.CompletedTask;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WebhookAccepted))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
