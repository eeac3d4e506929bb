using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// The events of SPEC §3.1 and the shape each must have. A failure names the field by its schema path
/// (e.g. <c>data.user.emails[0].value</c>), never by its value. Unknown event types of a known vendor
/// pass as generic events: only their envelope is checked.
/// </summary>
public static class EventCatalogue
{
    /// <summary>The scope SCIM user events need.</summary>
    public const string ScimWriteScope = "scim:write";

    /// <summary>The SCIM 2.0 enterprise User extension (RFC 7643 §4.3).</summary>
    public const string EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private const int MaxUserNameLength = 254;
    private const int MaxShortText = 256;
    private const int MaxEventKeyLength = 256;

    /// <summary>The body fields holding the vendor's event id and event type.</summary>
    public static (string? KeyField, string TypeField) EnvelopeFields(WebhookVendor vendor) => vendor switch
    {
        WebhookVendor.MindTickle => ("event_id", "event_type"),
        WebhookVendor.TwinMind => ("id", "type"),
        _ => (null, "type"),
    };

    /// <summary>MindTickle's SCIM user events (<c>user.*</c>) write identities and need <see cref="ScimWriteScope"/>.</summary>
    public static bool RequiresScimWrite(WebhookVendor vendor, string? eventType) =>
        vendor == WebhookVendor.MindTickle && eventType is not null && eventType.StartsWith("user.", StringComparison.Ordinal);

    /// <summary>True for the event that carries a meeting transcript.</summary>
    public static bool CarriesTranscript(WebhookVendor vendor, string? eventType) =>
        vendor == WebhookVendor.TwinMind && string.Equals(eventType, Vendors.TwinMind.TwinMindEvents.TranscriptCompleted, StringComparison.Ordinal);

    /// <summary>Checks the payload; returns the path of the first invalid field, or null when it is valid.</summary>
    public static string? Validate(WebhookVendor vendor, JsonElement payload)
    {
        var (keyField, typeField) = EnvelopeFields(vendor);
        if (!payload.TryGetProperty(typeField, out var type) || type.ValueKind != JsonValueKind.String || type.GetString() is not { Length: > 0 } eventType)
        {
            return typeField;
        }

        // Exact match only (SPEC §3.1). A case or whitespace variant of a declared type is refused rather
        // than passed as a generic event: it can only be meant to pass for the declared type.
        if (Vendors.EventSchemas.IsVariantOfDeclared(vendor.RouteName(), eventType))
        {
            return typeField;
        }

        if (keyField is not null && payload.TryGetProperty(keyField, out var key)
            && (key.ValueKind != JsonValueKind.String || key.GetString() is not { Length: > 0 and <= MaxEventKeyLength }))
        {
            return keyField;
        }

        var timeField = vendor switch
        {
            WebhookVendor.MindTickle => "occurred_at",
            WebhookVendor.TwinMind => "created_at",
            _ => "timestamp",
        };
        if (payload.TryGetProperty(timeField, out var time) && !IsTimestamp(time))
        {
            return timeField;
        }

        return (vendor, eventType) switch
        {
            (WebhookVendor.MindTickle, "user.created" or "user.updated") => ScimUser(payload, requireName: true),
            (WebhookVendor.MindTickle, "user.deactivated") => ScimUser(payload, requireName: false),
            (WebhookVendor.MindTickle, "course.completed") => Data(payload, out var data) ?? Number(data, "score", "data.score", required: true),
            (WebhookVendor.MindTickle, "certification.status_changed") =>
                Data(payload, out var data) ?? Text(data, "certification_status", "data.certification_status", required: true, MaxShortText),
            (WebhookVendor.MindTickle, "coaching.session.completed") =>
                Data(payload, out var data) ?? Text(data, "coaching_notes", "data.coaching_notes", required: false, int.MaxValue)
                    ?? Number(data, "score", "data.score", required: false),
            (WebhookVendor.TwinMind, "transcript.completed") => Transcript(payload),
            _ => null,
        };
    }

    /// <summary>
    /// True for a property that may carry audio (<c>audio</c>, <c>audio_url</c>, <c>recording_url</c>,
    /// any name containing <c>audio</c> or <c>recording</c>): audio is never stored or forwarded.
    /// </summary>
    public static bool IsAudioField(string name) =>
        name.Contains("audio", StringComparison.OrdinalIgnoreCase) || name.Contains("recording", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <see cref="IsAudioField(string)"/> on the raw UTF-8 name, without allocating it; a name with an
    /// escape sequence (which could spell <c>audio</c> as <c>\u0061udio</c>) is unescaped first.
    /// </summary>
    private static bool IsAudioField(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return raw.Contains((byte)'\\')
            ? IsAudioField(property.Name)
            : ContainsAsciiIgnoreCase(raw, "audio"u8) || ContainsAsciiIgnoreCase(raw, "recording"u8);
    }

    private static bool ContainsAsciiIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowercase)
    {
        for (var i = 0; i + lowercase.Length <= text.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(text.Slice(i, lowercase.Length), lowercase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when any object in the payload, at any depth, has an audio property.</summary>
    public static bool ContainsAudio(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (IsAudioField(property) || ContainsAudio(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (ContainsAudio(item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>The payload re-written without its audio properties (at any depth), as UTF-8 JSON.</summary>
    public static byte[] WithoutAudio(JsonElement payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteWithoutAudio(payload, writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteWithoutAudio(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsAudioField(property.Name))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteWithoutAudio(property.Value, writer);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteWithoutAudio(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static string? ScimUser(JsonElement payload, bool requireName)
    {
        if (Data(payload, out var data) is { } invalidData)
        {
            return invalidData;
        }

        if (!data.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.Object)
        {
            return "data.user";
        }

        if (Text(user, "userName", "data.user.userName", required: true, MaxUserNameLength) is { } invalidUserName)
        {
            return invalidUserName;
        }

        if (user.TryGetProperty("name", out var name))
        {
            if (name.ValueKind != JsonValueKind.Object)
            {
                return "data.user.name";
            }

            var invalidName = Text(name, "givenName", "data.user.name.givenName", requireName, MaxShortText)
                ?? Text(name, "familyName", "data.user.name.familyName", requireName, MaxShortText)
                ?? Text(name, "middleName", "data.user.name.middleName", required: false, MaxShortText)
                ?? Text(name, "formatted", "data.user.name.formatted", required: false, MaxShortText);
            if (invalidName is not null)
            {
                return invalidName;
            }
        }
        else if (requireName)
        {
            return "data.user.name";
        }

        if (user.TryGetProperty("emails", out var emails))
        {
            if (emails.ValueKind != JsonValueKind.Array)
            {
                return "data.user.emails";
            }

            var index = 0;
            foreach (var email in emails.EnumerateArray())
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"data.user.emails[{index++}]");
                if (email.ValueKind != JsonValueKind.Object)
                {
                    return path;
                }

                if (!email.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String || !EmailAddresses.IsValid(value.GetString()))
                {
                    return path + ".value";
                }

                if (email.TryGetProperty("primary", out var primary) && primary.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return path + ".primary";
                }

                if (Text(email, "type", path + ".type", required: false, MaxShortText) is { } invalidType)
                {
                    return invalidType;
                }
            }
        }

        if (user.TryGetProperty("active", out var active) && active.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return "data.user.active";
        }

        var invalid = Text(user, "title", "data.user.title", required: false, MaxShortText)
            ?? Text(user, "externalId", "data.user.externalId", required: false, MaxShortText);
        if (invalid is not null)
        {
            return invalid;
        }

        if (user.TryGetProperty(EnterpriseUserSchema, out var enterprise))
        {
            const string prefix = "data.user." + EnterpriseUserSchema;
            if (enterprise.ValueKind != JsonValueKind.Object)
            {
                return prefix;
            }

            if (Text(enterprise, "employeeNumber", prefix + ".employeeNumber", required: false, MaxShortText) is { } invalidNumber)
            {
                return invalidNumber;
            }

            if (enterprise.TryGetProperty("manager", out var manager))
            {
                if (manager.ValueKind != JsonValueKind.Object)
                {
                    return prefix + ".manager";
                }

                return Text(manager, "value", prefix + ".manager.value", required: false, MaxShortText)
                    ?? Text(manager, "displayName", prefix + ".manager.displayName", required: false, MaxShortText);
            }
        }

        return null;
    }

    private static string? Transcript(JsonElement payload)
    {
        if (Data(payload, out var data) is { } invalidData)
        {
            return invalidData;
        }

        if (!data.TryGetProperty("transcript_id", out var id) || id.ValueKind != JsonValueKind.String || !Transcripts.TranscriptIds.IsValid(id.GetString()))
        {
            return "data.transcript_id";
        }

        var invalid = Text(data, "meeting_id", "data.meeting_id", required: false, MaxShortText)
            ?? Text(data, "transcript", "data.transcript", required: true, int.MaxValue)
            ?? Text(data, "language", "data.language", required: false, 35);
        if (invalid is not null)
        {
            return invalid;
        }

        if (!data.TryGetProperty("participants", out var participants))
        {
            return null;
        }

        if (participants.ValueKind != JsonValueKind.Array)
        {
            return "data.participants";
        }

        var index = 0;
        foreach (var participant in participants.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"data.participants[{index++}]");
            if (participant.ValueKind != JsonValueKind.Object)
            {
                return path;
            }

            if (Text(participant, "name", path + ".name", required: false, MaxShortText) is { } invalidName)
            {
                return invalidName;
            }

            if (participant.TryGetProperty("email", out var email)
                && (email.ValueKind != JsonValueKind.String || !EmailAddresses.IsValid(email.GetString())))
            {
                return path + ".email";
            }
        }

        return null;
    }

    private static string? Data(JsonElement payload, out JsonElement data) =>
        payload.TryGetProperty("data", out data) && data.ValueKind == JsonValueKind.Object ? null : "data";

    private static string? Text(JsonElement parent, string name, string path, bool required, int maxLength)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return required ? path : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return path;
        }

        if (maxLength == int.MaxValue)
        {
            // Free text (a transcript, coaching notes) can be large: checked on its raw UTF-8 bytes,
            // never copied into a string.
            var raw = JsonMarshal.GetRawUtf8Value(value);
            return !required || raw[1..^1].ContainsAnyExcept(" \t\r\n"u8) ? null : path;
        }

        return value.GetString() is { } text && text.Length <= maxLength && (!required || !string.IsNullOrWhiteSpace(text)) ? null : path;
    }

    private static string? Number(JsonElement parent, string name, string path, bool required)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return required ? path : null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) && number >= 0 ? null : path;
    }

    private static bool IsTimestamp(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
}
