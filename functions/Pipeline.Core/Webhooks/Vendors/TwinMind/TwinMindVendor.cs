using System.Text.Json;
using Pipeline.Core.Privacy;

namespace Pipeline.Core.Webhooks.Vendors.TwinMind;

/// <summary>
/// TwinMind (SPEC §3.1): body <c>{"id", "type", "created_at", "data"}</c>, <c>transcript.completed</c>
/// carrying a meeting transcript, signed in <c>x-twinmind-signature</c> (no timestamp).
/// </summary>
public sealed class TwinMindVendor : WebhookVendor
{
    /// <inheritdoc/>
    public override string RouteName => "twinmind";

    /// <inheritdoc/>
    public override string DisplayName => "TwinMind";

    /// <inheritdoc/>
    public override SignatureScheme Signature { get; } = new PrefixedHexSignature("x-twinmind-signature");

    /// <inheritdoc/>
    public override string? EventIdField => "id";

    /// <inheritdoc/>
    public override string? EventTypeField => "type";

    /// <inheritdoc/>
    public override string? TimeField => "created_at";

    /// <inheritdoc/>
    public override EventSchema Envelope => TwinMindEvents.Envelope;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, EventSchema> EventTypes => TwinMindEvents.Types;

    /// <inheritdoc/>
    public override bool CarriesTranscript(string? eventType) => string.Equals(eventType, TwinMindEvents.TranscriptCompleted, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string? ValidateData(string eventType, JsonElement payload) =>
        CarriesTranscript(eventType) ? TranscriptPayload.Validate(payload) : null;
}
