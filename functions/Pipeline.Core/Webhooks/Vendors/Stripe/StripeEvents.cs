using Pipeline.Core.Privacy;
using static Pipeline.Core.Privacy.PipelineTaxonomy;

namespace Pipeline.Core.Webhooks.Vendors.Stripe;

/// <summary>
/// Stripe's event schemas. Ids, amounts, currencies, statuses and times are kept; a customer's name,
/// email, phone, address and shipping details are personal and never kept; hosted invoice links are
/// bearer URLs and never kept.
/// </summary>
public static class StripeEvents
{
    /// <summary>A customer was created.</summary>
    public const string CustomerCreated = "customer.created";

    /// <summary>An invoice was paid.</summary>
    public const string InvoicePaid = "invoice.paid";

    /// <summary>The Event object's own fields.</summary>
    public static EventSchema Envelope { get; } = EventSchema.Of(
        ("id", Safe),
        ("object", Safe),
        ("type", Safe),
        ("created", Safe),
        ("livemode", Safe),
        ("api_version", Safe),
        ("pending_webhooks", Safe),
        ("request/id", Safe),
        ("request/idempotency_key", Secret));

    private static readonly string[] AddressFields = ["line1", "line2", "city", "postal_code", "state", "country"];

    private static readonly EventSchema StripeObject = Envelope.With(
        ("data/object/id", Safe),
        ("data/object/object", Safe),
        ("data/object/created", Safe),
        ("data/object/livemode", Safe),
        ("data/object/currency", Safe));

    /// <summary>The event types with a known schema.</summary>
    public static IReadOnlyDictionary<string, EventSchema> Types { get; } = new Dictionary<string, EventSchema>(StringComparer.Ordinal)
    {
        [CustomerCreated] = StripeObject.With(
            [
                ("data/object/balance", Safe),
                ("data/object/delinquent", Safe),
                ("data/object/email", PersonalData),
                ("data/object/name", PersonalData),
                ("data/object/phone", PersonalData),
                ("data/object/description", PersonalData),
                ("data/object/shipping/name", PersonalData),
                ("data/object/shipping/phone", PersonalData),
                .. AddressFields.Select(field => ($"data/object/address/{field}", PersonalData)),
                .. AddressFields.Select(field => ($"data/object/shipping/address/{field}", PersonalData)),
            ]),
        [InvoicePaid] = StripeObject.With(
            [
                ("data/object/customer", Safe),
                ("data/object/subscription", Safe),
                ("data/object/status", Safe),
                ("data/object/paid", Safe),
                ("data/object/billing_reason", Safe),
                ("data/object/attempt_count", Safe),
                ("data/object/amount_due", Safe),
                ("data/object/amount_paid", Safe),
                ("data/object/amount_remaining", Safe),
                ("data/object/subtotal", Safe),
                ("data/object/total", Safe),
                ("data/object/period_start", Safe),
                ("data/object/period_end", Safe),
                ("data/object/customer_email", PersonalData),
                ("data/object/customer_name", PersonalData),
                ("data/object/customer_phone", PersonalData),
                ("data/object/hosted_invoice_url", Secret),
                ("data/object/invoice_pdf", Secret),
                .. AddressFields.Select(field => ($"data/object/customer_address/{field}", PersonalData)),
            ]),
    };
}
