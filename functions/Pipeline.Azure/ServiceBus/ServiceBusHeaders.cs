using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Pipeline.Core.Events;

namespace Pipeline.Azure.ServiceBus;

/// <summary>
/// The documented REST mapping of a message onto HTTP headers: <c>Content-Type</c> carries the
/// message's content type, <c>BrokerProperties</c> a JSON object with the broker properties, and each
/// application property its own header. Values are JSON so Service Bus types them: <c>"acme"</c> is a
/// string, <c>true</c> a boolean (which the <c>transcripts</c> filter <c>hasTranscript = true</c> needs).
/// Every value written here is printable ASCII, so no header can be split or smuggled by CR/LF.
/// </summary>
internal static class ServiceBusHeaders
{
    public const string BrokerPropertiesName = "BrokerProperties";

    // Headers the transport or the send contract own; an application property may not shadow them.
    private static readonly FrozenSet<string> Reserved = new[]
    {
        "Authorization", BrokerPropertiesName, "Content-Type", "Content-Length", "Content-Encoding",
        "Transfer-Encoding", "Host", "Connection", "Expect", "Upgrade", "TE", "Trailer", "Keep-Alive",
        "Proxy-Authorization", "User-Agent", "Accept", "traceparent", "tracestate", "request-id",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>BrokerProperties</c> header: the message id (duplicate detection) and correlation id.</summary>
    public static string BrokerProperties(BusMessage message) =>
        $"{{\"MessageId\":{JsonString(message.MessageId)},\"CorrelationId\":{JsonString(message.CorrelationId)}}}";

    /// <summary>The <c>Content-Type</c> header; a MIME type from our own code, checked rather than trusted.</summary>
    public static string ContentType(string contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !contentType.All(c => c is >= ' ' and < (char)0x7F))
        {
            throw new ArgumentException("The message content type must be a non-empty printable ASCII MIME type.", nameof(contentType));
        }

        return contentType;
    }

    /// <summary>An application property name, which becomes a header name: an RFC 9110 token, not a reserved header.</summary>
    public static string PropertyName(string name)
    {
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            // The name is not echoed: it is not a valid header name and may hold anything.
            throw new ArgumentException("An application property name is not a valid HTTP header name.", nameof(name));
        }

        if (Reserved.Contains(name) || name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Application property '{name}' would shadow a header of the send request.", nameof(name));
        }

        return name;
    }

    /// <summary>An application property value as its header: a JSON string or a JSON boolean.</summary>
    public static string PropertyValue(string name, object value) => value switch
    {
        string text => JsonString(text),
        bool flag => flag ? "true" : "false",
        _ => throw new ArgumentException(
            $"Application property '{name}' is a {value.GetType().Name}; only strings and booleans are sent.", nameof(value)),
    };

    /// <summary>
    /// A JSON string literal in printable ASCII: quote and backslash escaped, every control and
    /// non-ASCII character (CR and LF among them) as <c>\uXXXX</c>.
    /// </summary>
    public static string JsonString(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case < ' ' or >= (char)0x7F:
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
