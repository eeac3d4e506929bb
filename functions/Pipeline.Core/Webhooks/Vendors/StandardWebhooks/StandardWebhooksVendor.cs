using Pipeline.Core.Privacy;

namespace Pipeline.Core.Webhooks.Vendors.StandardWebhooks;

/// <summary>
/// Any sender following Standard Webhooks (SPEC §3.1): body <c>{"type", "timestamp", "data"}</c>, the
/// event id in <c>webhook-id</c> (or <c>svix-id</c>). The data's schema is unknown, so none of it is kept.
/// </summary>
public sealed class StandardWebhooksVendor : WebhookVendor
{
    private const string HeaderPrefix = "webhook-";

    /// <inheritdoc/>
    public override string RouteName => "standard";

    /// <inheritdoc/>
    public override string DisplayName => "Standard Webhooks";

    /// <inheritdoc/>
    public override SignatureScheme Signature { get; } = new StandardWebhooksSignature();

    /// <inheritdoc/>
    public override string? EventIdHeader => "webhook-id";

    /// <inheritdoc/>
    public override string? EventTypeField => "type";

    /// <inheritdoc/>
    public override string? TimeField => "timestamp";

    /// <inheritdoc/>
    public override EventSchema Envelope => StandardWebhooksEvents.Envelope;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, EventSchema> EventTypes => StandardWebhooksEvents.Types;

    /// <summary>A <c>webhook-*</c> header, or its <c>svix-*</c> name.</summary>
    public override string? Header(HeaderLookup headers, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase)
            ? StandardWebhooksSignature.Header(headers, name[HeaderPrefix.Length..])
            : base.Header(headers, name);
    }
}
