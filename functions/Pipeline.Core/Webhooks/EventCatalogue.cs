using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// The rules every vendor's events share (SPEC §3.1): the envelope (type, id, time, where the vendor's
/// metadata says they are), exact event types, then the vendor's own checks of a declared type's data;
/// and audio, which never leaves the ingress. A failure names the field by its schema path (e.g.
/// <c>data.user.emails[0].value</c>), never by its value. Unknown event types of a known vendor pass as
/// generic events: only their envelope is checked.
/// </summary>
public static class EventCatalogue
{
    /// <summary>The scope SCIM user events need.</summary>
    public const string ScimWriteScope = "scim:write";

    private const int MaxEventKeyLength = 256;

    /// <summary>
    /// Checks the envelope (type, id, time), then the data of a declared type (<see cref="WebhookVendor.ValidateData"/>);
    /// returns the path of the first invalid field, or null when it is valid. <paramref name="eventType"/>
    /// is the raw type, from <see cref="WebhookVendor.EventType"/>.
    /// </summary>
    public static string? Validate(WebhookVendor vendor, string? eventType, JsonElement payload)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        if (eventType is not { Length: > 0 })
        {
            return vendor.EventTypeName;
        }

        // Exact match only (SPEC §3.1). A case or whitespace variant of a declared type is refused rather
        // than passed as a generic event: it can only be meant to pass for the declared type.
        if (vendor.IsVariantOfDeclared(eventType))
        {
            return vendor.EventTypeName;
        }

        if (vendor.EventIdField is { } keyField && payload.TryGetProperty(keyField, out var key)
            && (key.ValueKind != JsonValueKind.String || key.GetString() is not { Length: > 0 and <= MaxEventKeyLength }))
        {
            return keyField;
        }

        if (vendor.TimeField is { } timeField && payload.TryGetProperty(timeField, out var time) && !PayloadFields.IsTimestamp(time))
        {
            return timeField;
        }

        return vendor.EventTypes.ContainsKey(eventType) ? vendor.ValidateData(eventType, payload) : null;
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
}
