using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Accepted means kept (SPEC §3.1): the limits the consumers will meet, checked at the ingress so a
/// 202 is only ever given to an event that both WriteAudit and EncryptTranscript can store. Each limit
/// is derived from a storage limit (Table Storage: 64 KiB per property, 1 MiB per entity, 4 MiB per
/// entity-group transaction); the broker's message size is checked when publishing (413).
/// </summary>
public static class ConsumerLimits
{
    /// <summary>
    /// Participants of one meeting. Their pseudonyms (<c>psn_</c> + 32 hex, space-separated: 37
    /// characters, 74 bytes as UTF-16) are listed in one string property of the transcript header and
    /// of the <c>event.accepted</c> audit row, which holds 64 KiB: 885 would be the edge, 800 keeps a margin.
    /// </summary>
    public const int MaxParticipants = 800;

    /// <summary>
    /// Emails of one SCIM user: each is a subject (as is the <c>userName</c>), and the subjects'
    /// pseudonyms share the same 64 KiB audit property as a meeting's participants.
    /// </summary>
    public const int MaxScimEmails = MaxParticipants - 1;

    /// <summary>
    /// Transcript text, as UTF-8. The sealed transcript (as large as the text when it does not compress)
    /// is written in one entity-group transaction of at most 4 MiB, where binary travels as base64
    /// (4/3): 2 MiB leaves room for that and for the rows' framing.
    /// </summary>
    public const int MaxTranscriptBytes = 2 * 1024 * 1024;

    /// <summary>
    /// The first limit <paramref name="payload"/> exceeds, or null when both consumers can store it.
    /// <paramref name="payload"/> has passed <see cref="EventCatalogue.Validate"/>.
    /// </summary>
    public static ConsumerLimit? Check(WebhookVendor vendor, string? eventType, JsonElement payload)
    {
        if (!payload.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        ArgumentNullException.ThrowIfNull(vendor);

        // SCIM user events are exactly those that need scim:write.
        if (vendor.RequiredScope(eventType) == EventCatalogue.ScimWriteScope
            && data.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object
            && user.TryGetProperty("emails", out var emails) && emails.ValueKind == JsonValueKind.Array
            && emails.GetArrayLength() > MaxScimEmails)
        {
            return new ConsumerLimit("data.user.emails", string.Create(CultureInfo.InvariantCulture, $"at most {MaxScimEmails} emails"));
        }

        if (!vendor.CarriesTranscript(eventType))
        {
            return null;
        }

        if (data.TryGetProperty("participants", out var participants) && participants.ValueKind == JsonValueKind.Array
            && participants.GetArrayLength() > MaxParticipants)
        {
            return new ConsumerLimit("data.participants", string.Create(CultureInfo.InvariantCulture, $"at most {MaxParticipants} participants"));
        }

        // The raw (escaped) bytes: exact without escapes, an upper bound with them, as an escape is
        // never shorter than what it decodes to. Cheap, and errs on the side of refusing.
        if (data.TryGetProperty("transcript", out var transcript) && transcript.ValueKind == JsonValueKind.String
            && JsonMarshal.GetRawUtf8Value(transcript).Length - 2 > MaxTranscriptBytes)
        {
            return new ConsumerLimit("data.transcript", string.Create(CultureInfo.InvariantCulture, $"at most {MaxTranscriptBytes} bytes"));
        }

        return null;
    }
}

/// <summary>A storage limit an event exceeds: the field by its schema path, and the limit in words. Never a value.</summary>
/// <param name="Field">The schema path, e.g. <c>data.participants</c>.</param>
/// <param name="Limit">The limit, e.g. <c>at most 800 participants</c>.</param>
public sealed record ConsumerLimit(string Field, string Limit);
