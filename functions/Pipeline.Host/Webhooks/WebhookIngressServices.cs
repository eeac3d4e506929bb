using Pipeline.Azure.Webhooks;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>What the ingress works with, all singletons, resolved once for every webhook.</summary>
internal sealed record WebhookIngressServices(
    WebhookIngestor Ingestor,
    WebhookRateLimiter RateLimiter,
    TrustedProxies TrustedProxies,
    SeenEventStore SeenEvents,
    PublishedMarks PublishedMarks,
    RejectionTally Rejections,
    IEventPublisher Publisher,
    PipelineOptions Options,
    WebhookOptions Webhooks,
    TimeProvider TimeProvider,
    ILogger<WebhookIngestor> Logger);
