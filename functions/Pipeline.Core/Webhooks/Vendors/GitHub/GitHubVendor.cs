using System.Text.Json;
using Pipeline.Core.Privacy;
using static Pipeline.Core.Webhooks.PayloadFields;

namespace Pipeline.Core.Webhooks.Vendors.GitHub;

/// <summary>
/// GitHub (docs.github.com, "Validating webhook deliveries"): <c>X-Hub-Signature-256: sha256={hex}</c>
/// over the raw body, the event id in <c>X-GitHub-Delivery</c> and the type in <c>X-GitHub-Event</c>.
/// GitHub sends no timestamp and signs neither header, so the replay defence is deduplication of the
/// delivery id alone (README, "Vendors").
/// </summary>
public sealed class GitHubVendor : WebhookVendor
{
    /// <inheritdoc/>
    public override string RouteName => "github";

    /// <inheritdoc/>
    public override string DisplayName => "GitHub";

    /// <inheritdoc/>
    public override SignatureScheme Signature { get; } = new PrefixedHexSignature("X-Hub-Signature-256");

    /// <inheritdoc/>
    public override string? EventIdHeader => "X-GitHub-Delivery";

    /// <inheritdoc/>
    public override string? EventTypeHeader => "X-GitHub-Event";

    /// <inheritdoc/>
    public override EventSchema Envelope => GitHubEvents.Envelope;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, EventSchema> EventTypes => GitHubEvents.Types;

    /// <inheritdoc/>
    public override string? ValidateData(string eventType, JsonElement payload) => eventType switch
    {
        GitHubEvents.Push => Text(payload, "ref", "ref", required: true, MaxShortText)
            ?? Text(payload, "before", "before", required: false, MaxShortText)
            ?? Text(payload, "after", "after", required: false, MaxShortText),
        GitHubEvents.Ping => Number(payload, "hook_id", "hook_id", required: false),
        _ => null,
    };
}
