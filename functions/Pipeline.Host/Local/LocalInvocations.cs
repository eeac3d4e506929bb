using System.Text.Json;
using Pipeline.Azure.Local;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Local;

/// <summary>The invocation requests Local mode sends the handler, shaped as the Functions host shapes them.</summary>
internal static class LocalInvocations
{
    /// <summary>
    /// The Service Bus trigger's invocation payload as the Functions host sends it to a custom handler
    /// with <c>dataType: binary</c>: the body base64, metadata strings JSON-quoted.
    /// </summary>
    public static JsonElement BuildInvocation(LocalQueueEnvelope envelope, int deliveryCount, string function, DateTimeOffset now) =>
        Invocation(function, now, writer => writer.WriteBase64String(ReceivedMessage.BindingName, envelope.Body), writer =>
        {
            writer.WriteString("MessageId", Quote(envelope.MessageId));
            writer.WriteString("CorrelationId", Quote(envelope.CorrelationId));
            writer.WriteString("ContentType", Quote(envelope.ContentType));
            writer.WriteString("DeliveryCount", deliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("EnqueuedTimeUtc", Quote(envelope.EnqueuedTimeUtc.ToString("O")));
            writer.WritePropertyName("ApplicationProperties");
            WriteProperties(writer, envelope);
        });

    /// <summary>
    /// A batch invocation as the Functions host sends it for <c>"cardinality": "many"</c> with <c>dataType: binary</c>
    /// (see <c>ReceivedMessage.TryParseBatch</c> for the sources): <c>Data.message</c> is a string holding a
    /// JSON array of base64 bodies; each metadata property is an <c>…Array</c> entry, a string holding a JSON
    /// array whose item i describes message i.
    /// </summary>
    public static JsonElement BuildBatchInvocation(IReadOnlyList<(LocalQueueEnvelope Envelope, int DeliveryCount)> messages, string function, DateTimeOffset now) =>
        Invocation(function, now, writer => writer.WriteString(ReceivedMessage.BindingName, JsonArray(messages, (w, m) => w.WriteBase64StringValue(m.Envelope.Body))), writer =>
        {
            writer.WriteString("MessageIdArray", JsonArray(messages, (w, m) => w.WriteStringValue(m.Envelope.MessageId)));
            writer.WriteString("CorrelationIdArray", JsonArray(messages, (w, m) => w.WriteStringValue(m.Envelope.CorrelationId)));
            writer.WriteString("ContentTypeArray", JsonArray(messages, (w, m) => w.WriteStringValue(m.Envelope.ContentType)));
            writer.WriteString("DeliveryCountArray", JsonArray(messages, (w, m) => w.WriteNumberValue(m.DeliveryCount)));
            writer.WriteString("EnqueuedTimeUtcArray", JsonArray(messages, (w, m) => w.WriteStringValue(m.Envelope.EnqueuedTimeUtc.ToString("O"))));
            writer.WriteString("ApplicationPropertiesArray", JsonArray(messages, (w, m) => WriteProperties(w, m.Envelope)));
        });

    // {"Data": {...}, "Metadata": {..., "sys": {...}}}: the frame of every trigger invocation.
    private static JsonElement Invocation(string function, DateTimeOffset now, Action<Utf8JsonWriter> writeData, Action<Utf8JsonWriter> writeMetadata)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Data");
            writeData(writer);
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            writeMetadata(writer);
            writer.WriteStartObject("sys");
            writer.WriteString("MethodName", function);
            writer.WriteString("UtcNow", now.ToString("O"));
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static void WriteProperties(Utf8JsonWriter writer, LocalQueueEnvelope envelope)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in envelope.Properties)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    // The host sends an array it cannot make a JSON object of as the text of a JSON array (JsonConvert.SerializeObject).
    private static string JsonArray<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> writeItem)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                writeItem(writer, item);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, LocalHostJsonContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class LocalHostJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
