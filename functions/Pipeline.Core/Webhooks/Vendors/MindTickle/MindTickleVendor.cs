using System.Text.Json;
using Pipeline.Core.Privacy;
using static Pipeline.Core.Webhooks.PayloadFields;

namespace Pipeline.Core.Webhooks.Vendors.MindTickle;

/// <summary>
/// MindTickle (SPEC §3.1): body <c>{"event_id", "event_type", "occurred_at", "data"}</c>, SCIM user
/// events that need <c>scim:write</c>, training events, and a <c>Company-Id</c> header that must name the route tenant.
/// </summary>
public sealed class MindTickleVendor : WebhookVendor
{
    /// <inheritdoc/>
    public override string RouteName => "mindtickle";

    /// <inheritdoc/>
    public override string DisplayName => "MindTickle";

    /// <inheritdoc/>
    public override SignatureScheme Signature { get; } = new MindTickleSignature();

    /// <inheritdoc/>
    public override string? EventIdField => "event_id";

    /// <inheritdoc/>
    public override string? EventTypeField => "event_type";

    /// <inheritdoc/>
    public override string? TimeField => "occurred_at";

    /// <inheritdoc/>
    public override string? TenantHeader => "Company-Id";

    /// <inheritdoc/>
    public override EventSchema Envelope => MindTickleEvents.Envelope;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, EventSchema> EventTypes => MindTickleEvents.Types;

    /// <summary>SCIM user events (<c>user.*</c>) write identities.</summary>
    public override string? RequiredScope(string? eventType) =>
        eventType is not null && eventType.StartsWith("user.", StringComparison.Ordinal) ? EventCatalogue.ScimWriteScope : null;

    /// <inheritdoc/>
    public override string? ValidateData(string eventType, JsonElement payload) => eventType switch
    {
        "user.created" or "user.updated" => ScimUserPayload.Validate(payload, requireName: true),
        "user.deactivated" => ScimUserPayload.Validate(payload, requireName: false),
        "course.completed" => Data(payload, out var data) ?? Number(data, "score", "data.score", required: true),
        "certification.status_changed" =>
            Data(payload, out var data)
                ?? Text(data, "certification_status", "data.certification_status", required: true, MaxShortText),
        "coaching.session.completed" =>
            Data(payload, out var data)
                ?? Text(data, "coaching_notes", "data.coaching_notes", required: false, int.MaxValue)
                ?? Number(data, "score", "data.score", required: false),
        _ => null,
    };
}
