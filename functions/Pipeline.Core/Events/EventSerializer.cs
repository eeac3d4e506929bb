using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Core.Events;

/// <summary>The wire format of <see cref="PipelineEvent"/> on the topic: camelCase JSON.</summary>
public static class EventSerializer
{
    /// <summary>Serializes an event to UTF-8 JSON.</summary>
    public static byte[] Serialize(PipelineEvent pipelineEvent) =>
        JsonSerializer.SerializeToUtf8Bytes(pipelineEvent, EventJsonContext.Default.PipelineEvent);

    /// <summary>Reads an event; null when the bytes are not a well-formed event.</summary>
    public static PipelineEvent? TryDeserialize(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var value = JsonSerializer.Deserialize(utf8Json, EventJsonContext.Default.PipelineEvent);
            return value is { EventId.Length: > 0, Tenant.Length: > 0, Vendor.Length: > 0 } ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PipelineEvent))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
