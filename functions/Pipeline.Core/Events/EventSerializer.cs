using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Core.Events;

/// <summary>
/// The wire format of <see cref="PipelineEvent"/> on the topic: camelCase JSON, Brotli-compressed
/// behind a 4-byte marker when that makes it smaller, so transcripts fit the broker's message limit
/// (256 KB on Service Bus Standard, 64 KiB per Azurite queue message).
/// </summary>
public static class EventSerializer
{
    /// <summary>The JSON content type of an uncompressed body.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>The content type of a compressed body.</summary>
    public const string CompressedContentType = "application/vnd.pipeline.event+json+br";

    /// <summary>Bodies smaller than this are sent as plain JSON: not worth the CPU.</summary>
    private const int CompressAbove = 4 * 1024;

    /// <summary>Largest event a consumer inflates: well above any broker's limit times any text's ratio, and a zip-bomb bound.</summary>
    private const int MaxInflatedBytes = 32 * 1024 * 1024;

    // A NUL first byte can never start JSON, so a body is unambiguously one or the other.
    private static ReadOnlySpan<byte> Marker => [0x00, (byte)'P', (byte)'E', 0x01];

    /// <summary>Serializes an event to UTF-8 JSON, compressed when that pays.</summary>
    public static byte[] Serialize(PipelineEvent pipelineEvent)
    {
        // JSON and compression both work in pooled buffers: the only array allocated is the message body.
        using var json = WriteJson(pipelineEvent);
        if (json.WrittenSpan.Length < CompressAbove)
        {
            return json.WrittenSpan.ToArray();
        }

        var compressed = ArrayPool<byte>.Shared.Rent(Marker.Length + BrotliEncoder.GetMaxCompressedLength(json.WrittenSpan.Length));
        try
        {
            Marker.CopyTo(compressed);
            return BrotliEncoder.TryCompress(json.WrittenSpan, compressed.AsSpan(Marker.Length), out var written, quality: 4, window: 22)
                && Marker.Length + written < json.WrittenSpan.Length
                    ? compressed[..(Marker.Length + written)]
                    : json.WrittenSpan.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>
    /// The event's JSON in a pooled buffer the caller disposes: the part of <see cref="Serialize"/> before
    /// compression (the ingress benchmarks time the two apart).
    /// </summary>
    internal static PooledBufferWriter WriteJson(PipelineEvent pipelineEvent)
    {
        var json = new PooledBufferWriter(EstimateJsonBytes(pipelineEvent));
        using var writer = new Utf8JsonWriter(json);
        JsonSerializer.Serialize(writer, pipelineEvent, EventJsonContext.Default.PipelineEvent);
        return json;
    }

    // The payload's raw length plus room for the envelope's other fields, so a large event needs no regrowth.
    private static int EstimateJsonBytes(PipelineEvent pipelineEvent) =>
        (pipelineEvent.Payload.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(pipelineEvent.Payload).Length) + 1024;

    /// <summary>True when <paramref name="body"/> is a compressed event.</summary>
    public static bool IsCompressed(ReadOnlySpan<byte> body) => body.StartsWith(Marker);

    /// <summary>Reads an event; null when the bytes are not a well-formed event (or inflate past the bound).</summary>
    public static PipelineEvent? TryDeserialize(ReadOnlySpan<byte> body)
    {
        byte[]? rented = null;
        try
        {
            if (IsCompressed(body))
            {
                if (!TryInflate(body[Marker.Length..], out rented, out var length))
                {
                    return null;
                }

                body = rented.AsSpan(0, length);
            }

            var value = JsonSerializer.Deserialize(body, EventJsonContext.Default.PipelineEvent);
            return value is { EventId.Length: > 0, Tenant.Length: > 0, Vendor.Length: > 0 } ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool TryInflate(ReadOnlySpan<byte> compressed, out byte[] buffer, out int length)
    {
        using var decoder = new BrotliDecoder();
        buffer = ArrayPool<byte>.Shared.Rent(Math.Max(compressed.Length * 4, 64 * 1024));
        length = 0;
        while (true)
        {
            var status = decoder.Decompress(compressed, buffer.AsSpan(length), out var consumed, out var written);
            compressed = compressed[consumed..];
            length += written;
            switch (status)
            {
                case OperationStatus.Done:
                    return true;
                case OperationStatus.DestinationTooSmall when buffer.Length < MaxInflatedBytes:
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxInflatedBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    break;
                default:
                    return false;
            }
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PipelineEvent))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
