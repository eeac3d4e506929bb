using System.Text.Json;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Turns a raw webhook into a <see cref="PipelineEvent"/>: tenant allowlist, signature over the raw
/// bytes, then the payload. Transport concerns (media type, body limit) stay with the endpoint.
/// </summary>
public sealed class WebhookIngestor(PipelineOptions options, TimeProvider timeProvider)
{
    private readonly TimeSpan _tolerance = TimeSpan.FromSeconds(options.Webhooks.ToleranceSeconds);

    /// <summary>Verifies and parses one webhook.</summary>
    public IngressResult Ingest(WebhookVendor vendor, string tenant, HeaderLookup headers, ReadOnlyMemory<byte> body)
    {
        var vendorKey = vendor.RouteName();
        if (!options.Tenants.TryGetValue(tenant, out var tenantOptions)
            || !tenantOptions.Vendors.TryGetValue(vendorKey, out var vendorOptions)
            || vendorOptions.Secrets.Count == 0)
        {
            return IngressResult.Rejected(IngressRejection.TenantNotAllowed);
        }

        if (vendor == WebhookVendor.MindTickle && headers("Company-Id") is { Length: > 0 } companyId
            && !string.Equals(companyId, tenant, StringComparison.OrdinalIgnoreCase))
        {
            return IngressResult.Rejected(IngressRejection.CompanyMismatch);
        }

        var now = timeProvider.GetUtcNow();
        var check = SignatureVerifier.Verify(vendor, vendorOptions.Secrets, headers, body.Span, now, _tolerance);
        if (check != SignatureCheck.Valid)
        {
            return IngressResult.Rejected(check switch
            {
                SignatureCheck.MissingHeaders => IngressRejection.MissingHeaders,
                SignatureCheck.StaleTimestamp => IngressRejection.StaleTimestamp,
                _ => IngressRejection.BadSignature,
            });
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return IngressResult.Rejected(IngressRejection.MalformedJson);
            }

            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return IngressResult.Rejected(IngressRejection.MalformedJson);
        }

        var (keyField, typeField) = vendor switch
        {
            WebhookVendor.MindTickle => ("event_id", "event_type"),
            WebhookVendor.TwinMind => ("id", "type"),
            _ => ((string?)null, "type"),
        };
        var eventKey = (keyField is null ? headers("webhook-id") : StringProperty(payload, keyField))
            ?? EventIds.HashBody(body.Span);
        var eventType = SafeEventType(StringProperty(payload, typeField));
        var normalizedTenant = tenant.ToLowerInvariant();

        return IngressResult.Accepted(new PipelineEvent(
            EventIds.Derive(vendorKey, normalizedTenant, eventKey),
            vendorKey,
            normalizedTenant,
            eventType,
            eventKey,
            now,
            vendor == WebhookVendor.TwinMind && eventType == "transcript.completed",
            payload));
    }

    /// <summary>
    /// The event type travels as a broker property and into audit rows, so only a short dotted name is
    /// kept; anything else (which could carry personal data) becomes <c>unknown</c>.
    /// </summary>
    private static string SafeEventType(string? eventType) =>
        eventType is { Length: <= 64 } && eventType.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':')
            ? eventType
            : "unknown";

    private static string? StringProperty(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;
}
