using System.Net;
using System.Net.Mime;
using Azure;
using Microsoft.Net.Http.Headers;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

internal static class WebhookEndpoints
{
    /// <summary>How long a vendor should wait before retrying when the broker is unavailable.</summary>
    private static readonly TimeSpan BrokerRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The deduplication memory is an optimisation over the broker's own duplicate detection: when
    /// storage is slow or down, the ingress stops waiting for it after this long and carries on.
    /// </summary>
    private static readonly TimeSpan DeduplicationTimeout = TimeSpan.FromSeconds(2);

    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebhookIngestor>();
        builder.Services.AddSingleton<WebhookRateLimiter>();
        builder.Services.AddSingleton<SeenEventStore>();
        builder.Services.AddSingleton<RejectionTally>();
        builder.Services.AddHostedService<RejectionAuditFlusher>();
        return builder;
    }

    /// <summary><c>POST /api/webhooks/{vendor}/{tenant}</c>: the WebhookIngress function.</summary>
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks/{vendor}/{tenant}", ReceiveAsync).WithName("WebhookIngress");
        return app;
    }

    /// <summary>
    /// Cheapest checks first: vendor (404), tenant (403), rate limit (429), media type (415), body limit
    /// while reading (413); then the ingestor (signature, scope, schema); then deduplication and publishing.
    /// </summary>
    private static async Task<IResult> ReceiveAsync(
        string vendor,
        string tenant,
        HttpContext context,
        WebhookIngestor ingestor,
        WebhookRateLimiter rateLimiter,
        SeenEventStore seenEvents,
        RejectionTally rejections,
        IEventPublisher publisher,
        PipelineOptions options,
        TimeProvider timeProvider,
        ILogger<WebhookIngestor> logger,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var knownVendor = WebhookVendors.TryParse(vendor, out var parsedVendor);
        var resolved = knownVendor ? ingestor.Resolve(parsedVendor, tenant) : null;

        // Only configured names reach logs and audit rows: route text is the attacker's.
        var auditTenant = resolved?.Id ?? (options.Tenants.ContainsKey(tenant) ? tenant.ToLowerInvariant() : RejectionTally.UnknownTenant);
        var auditVendor = knownVendor ? parsedVendor.RouteName() : "unknown";
        IResult Reject(IngressRejection reason, string? field = null, TimeSpan? retryAfter = null)
        {
            Log.WebhookRejected(logger, reason.Slug(), auditVendor, auditTenant);
            rejections.Record(auditTenant, auditVendor, reason, SourceNetworks.Truncate(ClientAddress(context)), timeProvider.GetUtcNow());
            return retryAfter is { } delay ? WebhookProblems.RetryLater(context.Response, reason, delay) : WebhookProblems.For(reason, field);
        }

        if (!knownVendor)
        {
            return Reject(IngressRejection.UnknownVendor);
        }

        if (resolved is null)
        {
            return Reject(IngressRejection.TenantNotAllowed);
        }

        if (rateLimiter.TryAcquire(resolved.Id) is { } wait)
        {
            return Reject(IngressRejection.RateLimited, retryAfter: wait);
        }

        if (!IsJson(request.ContentType))
        {
            return Reject(IngressRejection.UnsupportedMediaType);
        }

        if (await BoundedBody.ReadAsync(request, options.Webhooks.MaxBodyBytes, cancellationToken) is not { } body)
        {
            return Reject(IngressRejection.BodyTooLarge);
        }

        var result = ingestor.Ingest(resolved, name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, body);
        if (!result.IsAccepted)
        {
            return Reject(result.Rejection, result.Field);
        }

        var accepted = result.Event;
        if (await WasSeenAsync(seenEvents, accepted, logger, cancellationToken))
        {
            Log.WebhookDuplicate(logger, accepted.EventId);
            return TypedResults.Accepted((string?)null, new WebhookAccepted(accepted.EventId, Duplicate: true));
        }

        try
        {
            await publisher.PublishAsync(BusMessage.ForEvent(accepted, context.TraceIdentifier), cancellationToken);
        }
        catch (EventTooLargeException e)
        {
            // Retrying cannot help: the vendor is told so rather than invited to retry forever.
            Log.EventTooLarge(logger, accepted.EventId, e);
            return Reject(IngressRejection.EventTooLarge);
        }
        // The publishers say "not now" with BrokerUnavailableException; the rest are storage and transport
        // failures of Local mode's queues (Azure.Core reports retries exhausted without an answer as an AggregateException).
        catch (Exception e) when (e is BrokerUnavailableException or RequestFailedException or HttpRequestException or TimeoutException or AggregateException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not acknowledged and not marked seen: the vendor's retry goes through.
            Log.PublishFailed(logger, accepted.EventId, e);
            return Reject(IngressRejection.BrokerUnavailable, retryAfter: BrokerRetryAfter);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(DeduplicationTimeout);
            await seenEvents.MarkSeenAsync(accepted.Tenant, accepted.EventId, TimeSpan.FromHours(options.Webhooks.DeduplicationHours), timeout.Token);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or AggregateException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The event is on the broker, so it is accepted; the broker's duplicate detection is the second line.
            Log.MarkSeenFailed(logger, accepted.EventId, e);
        }

        Log.WebhookAccepted(logger, accepted.EventId, accepted.Vendor, accepted.Tenant);
        return TypedResults.Accepted((string?)null, new WebhookAccepted(accepted.EventId, Duplicate: false));
    }

    private static async Task<bool> WasSeenAsync(SeenEventStore seenEvents, PipelineEvent accepted, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(DeduplicationTimeout);
            return await seenEvents.WasSeenAsync(accepted.Tenant, accepted.EventId, timeout.Token);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or AggregateException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Failing open is safe: publishing again is caught by the broker and by idempotent consumers.
            Log.SeenLookupFailed(logger, accepted.EventId, e);
            return false;
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The caller's address. Behind the Functions host (a loopback connection) it is the first
    /// <c>X-Forwarded-For</c> entry the platform front end set; otherwise the connection's own address.
    /// </summary>
    private static IPAddress? ClientAddress(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && IPAddress.IsLoopback(remote)
            && context.Request.Headers["X-Forwarded-For"].ToString().Split(',')[0].Trim() is { Length: > 0 } forwarded)
        {
            if (IPAddress.TryParse(forwarded, out var address) || (IPEndPoint.TryParse(forwarded, out var endPoint) && (address = endPoint.Address) is not null))
            {
                return address;
            }
        }

        return remote;
    }
}

/// <summary>The 202 body: the event id, and whether this webhook was already accepted before.</summary>
internal sealed record WebhookAccepted(string EventId, bool Duplicate);
