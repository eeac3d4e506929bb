using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Core.Events;

/// <summary>
/// Writes an event's payload as the bytes it was parsed from, instead of re-encoding it token by
/// token: a 256 KiB transcript is copied once into the message, not escaped and re-validated.
/// </summary>
internal sealed class RawPayloadConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonElement.ParseValue(ref reader);

    // Every JsonElement comes from a parsed document (the ingress's strict parse, or a consumer's read of
    // a message), so its raw text is well-formed JSON: validating it again would scan the transcript twice.
    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) =>
        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
}
