using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Turns a raw webhook into a <see cref="PipelineEvent"/>: tenant allowlist, signature over the raw
/// bytes, scope, then the payload rules of <see cref="EventCatalogue"/>. Transport concerns (media
/// type, body limit, rate limit, deduplication, publishing) stay with the endpoint.
/// </summary>
public sealed class WebhookIngestor
{
    /// <summary>What an event type may contain to travel as a broker property (see <see cref="SafeEventType"/>).</summary>
    private static readonly SearchValues<char> EventTypeCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:");

    private readonly FrozenDictionary<(string Tenant, WebhookVendor Vendor), WebhookTenant> _tenants;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _tolerance;

    /// <summary>
    /// Decodes every tenant's secrets once, for the vendors of <paramref name="vendors"/> (the registry,
    /// <c>Vendors/WebhookVendors.All</c>) its settings name; a name no vendor has is left out.
    /// </summary>
    public WebhookIngestor(PipelineOptions options, WebhookOptions webhooks, IEnumerable<WebhookVendor> vendors, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(webhooks);
        _timeProvider = timeProvider;
        var byRouteName = vendors.ToDictionary(vendor => vendor.RouteName, StringComparer.OrdinalIgnoreCase);
        _tolerance = TimeSpan.FromSeconds(webhooks.ToleranceSeconds);
        var tenants = new Dictionary<(string, WebhookVendor), WebhookTenant>();
        foreach (var (tenant, tenantOptions) in options.Tenants)
        {
            foreach (var (vendorName, vendorOptions) in tenantOptions.Vendors)
            {
                if (!byRouteName.TryGetValue(vendorName, out var vendor))
                {
                    continue;
                }

                var keys = vendorOptions.Secrets
                    .Where(secret => !string.IsNullOrEmpty(secret))
                    .Select(vendor.Signature.KeyFor)
                    .OfType<byte[]>()
                    .ToArray();
                if (keys.Length > 0)
                {
                    var id = tenant.ToLowerInvariant();
                    tenants[(id, vendor)] = new WebhookTenant(id, vendor, keys, [.. vendorOptions.Scopes]);
                }
            }
        }

        _tenants = tenants.ToFrozenDictionary();
    }

    /// <summary>The tenant, when it is configured and allows the vendor; null otherwise (403).</summary>
    public WebhookTenant? Resolve(WebhookVendor vendor, string tenant) =>
        tenant.Length <= 63 && _tenants.TryGetValue((tenant.ToLowerInvariant(), vendor), out var found) ? found : null;

    /// <summary>Verifies and parses one webhook for a tenant from <see cref="Resolve"/>.</summary>
    public IngressResult Ingest(WebhookTenant tenant, HeaderLookup headers, ReadOnlyMemory<byte> body)
    {
        var vendor = tenant.Vendor;
        if (vendor.TenantHeader is { } tenantHeader && headers(tenantHeader) is { Length: > 0 } claimedTenant
            && !string.Equals(claimedTenant, tenant.Id, StringComparison.OrdinalIgnoreCase))
        {
            return IngressResult.Rejected(IngressRejection.CompanyMismatch);
        }

        var now = _timeProvider.GetUtcNow();
        var check = vendor.Signature.Verify(tenant.Keys, headers, body.Span, now, _tolerance);
        if (check != SignatureCheck.Valid)
        {
            return IngressResult.Rejected(check switch
            {
                SignatureCheck.MissingHeaders => IngressRejection.MissingHeaders,
                SignatureCheck.StaleTimestamp => IngressRejection.StaleTimestamp,
                _ => IngressRejection.BadSignature,
            });
        }

        if (StrictJson.TryParse(body) is not { } document)
        {
            return IngressResult.Rejected(IngressRejection.MalformedJson);
        }

        // The document reads the body in place; an accepted event without audio keeps it (the result disposes it).
        var handedOver = false;
        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return IngressResult.Rejected(IngressRejection.MalformedJson);
            }

            var rawType = vendor.EventType(headers, root);
            if (rawType is null && vendor.EventTypeHeader is not null)
            {
                return IngressResult.Rejected(IngressRejection.MissingHeaders);
            }

            // A variant spelling of a declared type is 422 for every tenant, before the scope gate looks at it.
            if (vendor.IsVariantOfDeclared(rawType))
            {
                return IngressResult.InvalidField(vendor.EventTypeName);
            }

            if (vendor.RequiredScope(rawType) is { } scope && !tenant.HasScope(scope))
            {
                return IngressResult.Rejected(IngressRejection.MissingScope);
            }

            if (EventCatalogue.Validate(vendor, rawType, root) is { } field)
            {
                return IngressResult.InvalidField(field);
            }

            if (ConsumerLimits.Check(vendor, rawType, root) is { } limit)
            {
                return IngressResult.OverLimit(limit);
            }

            var eventKey = vendor.EventId(headers, root) ?? EventIds.HashBody(body.Span);
            var eventType = SafeEventType(rawType);
            var vendorKey = vendor.RouteName;

            // Audio never leaves the ingress: the payload is re-written without it when there is any.
            // Otherwise the payload is the parsed body itself: no clone of a 256 KiB transcript.
            var withoutAudio = EventCatalogue.ContainsAudio(root);
            var accepted = new PipelineEvent(
                EventIds.Derive(vendorKey, tenant.Id, eventKey),
                vendorKey,
                tenant.Id,
                eventType,
                eventKey,
                now,
                vendor.CarriesTranscript(eventType),
                withoutAudio ? JsonElement.Parse(EventCatalogue.WithoutAudio(root)) : root);
            handedOver = !withoutAudio;
            return withoutAudio ? IngressResult.Accepted(accepted) : IngressResult.Accepted(accepted, document);
        }
        finally
        {
            if (!handedOver)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>
    /// The event type travels as a broker property and into audit rows, so only a short dotted name is
    /// kept; anything else (which could carry personal data) becomes <c>unknown</c>.
    /// </summary>
    private static string SafeEventType(string? eventType) =>
        eventType is { Length: <= 64 } && !eventType.AsSpan().ContainsAnyExcept(EventTypeCharacters)
            ? eventType
            : "unknown";
}
