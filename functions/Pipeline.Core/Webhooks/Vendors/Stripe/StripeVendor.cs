using System.Text.Json;
using Pipeline.Core.Privacy;
using static Pipeline.Core.Webhooks.PayloadFields;

namespace Pipeline.Core.Webhooks.Vendors.Stripe;

/// <summary>
/// Stripe: an Event object <c>{"id": "evt_…", "type", "created" (unix seconds), "data": {"object": …}}</c>,
/// signed in <c>Stripe-Signature</c>. Stripe sends no id header: the event id is the body's <c>id</c>.
/// </summary>
public sealed class StripeVendor : WebhookVendor
{
    /// <inheritdoc/>
    public override string RouteName => "stripe";

    /// <inheritdoc/>
    public override string DisplayName => "Stripe";

    /// <inheritdoc/>
    public override SignatureScheme Signature { get; } = new StripeSignature();

    /// <inheritdoc/>
    public override string? EventIdField => "id";

    /// <inheritdoc/>
    public override string? EventTypeField => "type";

    /// <inheritdoc/>
    public override EventSchema Envelope => StripeEvents.Envelope;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, EventSchema> EventTypes => StripeEvents.Types;

    /// <summary>A declared type carries its object in <c>data.object</c>; <c>created</c> is unix seconds.</summary>
    public override string? ValidateData(string eventType, JsonElement payload)
    {
        if (Number(payload, "created", "created", required: false) is { } created)
        {
            return created;
        }

        if (Data(payload, out var data) is { } invalid)
        {
            return invalid;
        }

        return data.TryGetProperty("object", out var stripeObject) && stripeObject.ValueKind == JsonValueKind.Object
            ? Text(stripeObject, "id", "data.object.id", required: true, MaxShortText)
            : "data.object";
    }
}
