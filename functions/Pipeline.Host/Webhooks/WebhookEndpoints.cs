using System.Diagnostics;
using System.Net.Mime;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Net.Http.Headers;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;
using Pipeline.Core.Webhooks;
using Pipeline.Azure.Resilience;
using Pipeline.Host.Configuration;
using Pipeline.Core.Webhooks.Vendors;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Webhooks;

internal static class WebhookEndpoints
{
    /// <summary>How long a vendor should wait before retrying when the broker is unavailable.</summary>
    private static readonly TimeSpan BrokerRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long a vendor should wait before retrying when the deduplication table is unavailable.</summary>
    private static readonly TimeSpan StorageRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest the ingress waits for the deduplication claim: one that does not come back in time is a
    /// 503 (nothing is accepted without a claim).
    /// </summary>
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(5);

    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.AddWebhookOptions();

        // The ingestor is handed the registry's vendors (as IEnumerable<WebhookVendor>) rather than naming them.
        foreach (var vendor in WebhookVendors.All)
        {
            builder.Services.AddSingleton(vendor);
        }

        builder.Services.AddSingleton<WebhookIngestor>();
        builder.Services.AddSingleton<WebhookRateLimiter>();
        builder.Services.AddSingleton<TrustedProxies>();
        // TryAdd: a load run may bring its own (a table that answers without storage, to time the handler alone).
        builder.Services.TryAddSingleton<SeenEventStore>();
        builder.Services.AddSingleton<PublishedMarks>();
        builder.Services.AddHostedService<PublishedMarkWriter>();
        builder.Services.AddSingleton<RejectionTally>();
        builder.Services.AddSingleton<WebhookIngressServices>();
        builder.Services.AddHostedService<RejectionAuditFlusher>();
        return builder;
    }

    /// <summary><c>Pipeline:Webhooks</c>, validated at start; also for the CLI, which reads the rotation period.</summary>
    public static WebApplicationBuilder AddWebhookOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.SectionName);
        return builder;
    }

    /// <summary>Where every webhook path starts.</summary>
    public const string PathPrefix = "/api/webhooks";

    private const string Route = PathPrefix + "/{vendor}/{tenant}";

    /// <summary><c>POST /api/webhooks/{vendor}/{tenant}</c>: the WebhookIngress function.</summary>
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        // The ingress's services are singletons, taken from the root provider: a webhook binds only its route
        // values, so no request opens a DI scope (see also WebhookAccepted and HandlerApp's authentication).
        // Resolved by the first webhook rather than here: their options are validated when the host starts,
        // after mapping, and say what is wrong there. Two first webhooks at once get the same singleton.
        var root = app.ServiceProvider;
        WebhookIngressServices? services = null;
        app.MapPost(Route, (string vendor, string tenant, HttpContext context, CancellationToken cancellationToken) =>
                ReceiveAsync(vendor, tenant, context, services ??= root.GetRequiredService<WebhookIngressServices>(), cancellationToken))
            .WithName("WebhookIngress")
            // Its latency is pipeline.webhook.duration, by vendor, tenant and outcome: ASP.NET Core's
            // http.server.request.duration would record every webhook a second time.
            .DisableHttpMetrics();
        return app;
    }

    /// <summary>
    /// Cheapest checks first: vendor (404), tenant (403), media type (415), body limit while reading
    /// (413, or 400/408 for a body that never arrives in full); then the ingestor (signature, scope,
    /// schema, consumer limits); then the deduplication claim (503 when it cannot be made) and publishing:
    /// those two calls are all a new event waits for. The claim's mark (published) is queued for
    /// <see cref="PublishedMarkWriter"/>, which writes many in one transaction after the answer; until it
    /// lands, this instance answers redeliveries from memory and another republishes the identical message.
    /// A request refused before its signature verified is charged to its source network's bucket (429 once
    /// that is empty); only a verified one is charged to the tenant's, so unsigned traffic cannot lock a
    /// tenant out.
    /// </summary>
    private static async Task<IResult> ReceiveAsync(string vendor, string tenant, HttpContext context, WebhookIngressServices services, CancellationToken cancellationToken)
    {
        var (ingestor, rateLimiter, trustedProxies, seenEvents, publishedMarks, rejections, publisher, options, webhooks, timeProvider, logger) = services;
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var knownVendor = WebhookVendors.TryParse(vendor, out var parsedVendor);
        var resolved = parsedVendor is not null ? ingestor.Resolve(parsedVendor, tenant) : null;
        var sourceNetwork = SourceNetworks.Truncate(trustedProxies.ClientAddress(context));

        // Only configured names reach logs and audit rows: route text is the attacker's.
        var auditTenant = resolved?.Id ?? (options.Tenants.ContainsKey(tenant) ? tenant.ToLowerInvariant() : RejectionTally.UnknownTenant);
        var auditVendor = parsedVendor?.RouteName ?? "unknown";
        IResult Reject(IngressRejection reason, string? field = null, string? limit = null, TimeSpan? retryAfter = null)
        {
            Log.WebhookRejected(logger, reason.Slug(), auditVendor, auditTenant);
            rejections.Record(auditTenant, auditVendor, reason, sourceNetwork, timeProvider.GetUtcNow());
            PipelineMetrics.WebhookRejected(auditVendor, auditTenant, reason.Slug(), started);
            return retryAfter is { } delay ? WebhookProblems.RetryLater(context.Response, reason, delay) : WebhookProblems.For(reason, field, limit);
        }

        IResult RejectUnverified(IngressRejection reason) =>
            rateLimiter.TryAcquireUnverified(sourceNetwork) is { } wait ? Reject(IngressRejection.RateLimited, retryAfter: wait) : Reject(reason);

        if (!knownVendor)
        {
            return RejectUnverified(IngressRejection.UnknownVendor);
        }

        if (resolved is null)
        {
            return RejectUnverified(IngressRejection.TenantNotAllowed);
        }

        if (!IsJson(request.ContentType))
        {
            return RejectUnverified(IngressRejection.UnsupportedMediaType);
        }

        var minRate = new MinDataRate(webhooks.MinBodyBytesPerSecond, TimeSpan.FromSeconds(webhooks.BodyGraceSeconds));
        // Disposed last (declared before the parsed result): the body goes back to the pool after all that reads it.
        using var read = await BoundedBody.ReadAsync(request, webhooks.MaxBodyBytes, minRate);
        if (read.Rejection is { } unread)
        {
            return RejectUnverified(unread);
        }

        using var result = ingestor.Ingest(resolved, name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, read.Body);
        if (!result.IsAccepted && result.Rejection.IsUnverified())
        {
            return RejectUnverified(result.Rejection);
        }

        // The signature verified: from here on the request is the tenant's vendor's, and charged to its bucket.
        if (rateLimiter.TryAcquire(resolved.Id) is { } tenantWait)
        {
            return Reject(IngressRejection.RateLimited, retryAfter: tenantWait);
        }

        if (!result.IsAccepted)
        {
            return Reject(result.Rejection, result.Field, result.Limit);
        }

        var accepted = result.Event;
        var lifetime = TimeSpan.FromHours(webhooks.DeduplicationHours);
        EventClaim claim;
        try
        {
            // The store starts the timeout only when it asks the table: a remembered redelivery pays no timer.
            claim = await seenEvents.ClaimAsync(accepted.Tenant, accepted.EventId, accepted.ReceivedAt, lifetime, ClaimTimeout, cancellationToken);
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            // Fail closed: an event accepted without a claim could be accepted again under a new time.
            Log.ClaimFailed(logger, accepted.EventId, e);
            return Reject(IngressRejection.StorageUnavailable, retryAfter: StorageRetryAfter);
        }

        if (claim.Status == ClaimStatus.Published)
        {
            Log.WebhookDuplicate(logger, accepted.EventId);
            rejections.RecordDuplicate(accepted.Tenant, accepted.Vendor, sourceNetwork, timeProvider.GetUtcNow());
            PipelineMetrics.WebhookDuplicate(accepted.Vendor, accepted.Tenant, started);
            return new WebhookAccepted(accepted.EventId, Duplicate: true, TraceContext.ForRequest().TraceId);
        }

        if (claim.Status == ClaimStatus.Unpublished)
        {
            // An earlier attempt claimed it and died (or the broker refused it) before confirming: publish
            // the same message, first acceptance time and all, so consumers and broker see one event.
            Log.RepublishingClaim(logger, accepted.EventId);
            accepted = accepted with { ReceivedAt = claim.ReceivedAt };
        }

        var trace = TraceContext.ForRequest();
        try
        {
            await publisher.PublishAsync(BusMessage.ForEvent(accepted, context.TraceIdentifier, trace.TraceParent), cancellationToken);
        }
        catch (EventTooLargeException e)
        {
            // Retrying cannot help: the vendor is told so rather than invited to retry forever.
            Log.EventTooLarge(logger, accepted.EventId, e);
            return Reject(IngressRejection.EventTooLarge);
        }
        // Both publishers say "not now" with BrokerUnavailableException, whatever their transport.
        catch (BrokerUnavailableException e)
        {
            // Not acknowledged; the claim stays unpublished, so the vendor's retry publishes it.
            Log.PublishFailed(logger, accepted.EventId, e);
            return Reject(IngressRejection.BrokerUnavailable, retryAfter: BrokerRetryAfter);
        }

        // Not awaited: the event is on the broker, so it is accepted. A mark that is late or lost costs at most
        // an identical republish when a redelivery reaches another instance, which broker and consumers take as one.
        publishedMarks.Add(accepted.Tenant, accepted.EventId, lifetime);

        Log.WebhookAccepted(logger, accepted.EventId, accepted.Vendor, accepted.Tenant);
        PipelineMetrics.WebhookAccepted(accepted.Vendor, accepted.Tenant, started);
        return new WebhookAccepted(accepted.EventId, Duplicate: false, trace.TraceId);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}

