using System.Net.Mime;
using Azure;
using Microsoft.Net.Http.Headers;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

internal static class WebhookEndpoints
{
    /// <summary>How long a vendor should wait before retrying when the broker is unavailable.</summary>
    private static readonly TimeSpan BrokerRetryAfter = TimeSpan.FromSeconds(30);

    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebhookIngestor>();
        return builder;
    }

    /// <summary><c>POST /api/webhooks/{vendor}/{tenant}</c>: the WebhookIngress function.</summary>
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks/{vendor}/{tenant}", ReceiveAsync).WithName("WebhookIngress");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string vendor,
        string tenant,
        HttpContext context,
        WebhookIngestor ingestor,
        IEventPublisher publisher,
        PipelineOptions options,
        ILogger<WebhookIngestor> logger,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var knownTenant = options.Tenants.ContainsKey(tenant) ? tenant.ToLowerInvariant() : "(unknown)";
        IResult Reject(IngressRejection reason)
        {
            Log.WebhookRejected(logger, WebhookProblems.Describe(reason).Slug, vendor.Length <= 32 ? vendor : "(long)", knownTenant);
            return WebhookProblems.For(reason);
        }

        if (!WebhookVendors.TryParse(vendor, out var parsedVendor))
        {
            return Reject(IngressRejection.UnknownVendor);
        }

        if (!IsJson(request.ContentType))
        {
            return Reject(IngressRejection.UnsupportedMediaType);
        }

        if (await BoundedBody.ReadAsync(request, options.Webhooks.MaxBodyBytes, cancellationToken) is not { } body)
        {
            return Reject(IngressRejection.BodyTooLarge);
        }

        var result = ingestor.Ingest(parsedVendor, tenant, name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, body);
        if (!result.IsAccepted)
        {
            return Reject(result.Rejection);
        }

        var accepted = result.Event;
        try
        {
            await publisher.PublishAsync(BusMessage.ForEvent(accepted, context.TraceIdentifier), cancellationToken);
        }
        // Azure.Core reports retries exhausted without any answer as an AggregateException.
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or TimeoutException or AggregateException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(logger, accepted.EventId, e);
            return WebhookProblems.BrokerUnavailable(context.Response, BrokerRetryAfter);
        }

        Log.WebhookAccepted(logger, accepted.EventId, accepted.Vendor, accepted.Tenant);
        return TypedResults.Accepted((string?)null, new WebhookAccepted(accepted.EventId, Duplicate: false));
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The 202 body: the event id, and whether this webhook was already accepted before.</summary>
internal sealed record WebhookAccepted(string EventId, bool Duplicate);
