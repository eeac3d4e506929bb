using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Host.Audit;

/// <summary>
/// The continuation token handed to callers: the storage token bound to the query that produced it.
/// A token replayed with another tenant or range is refused (400); even a forged one cannot widen a
/// query, because the table filter is rebuilt from the route's tenant every time.
/// </summary>
internal sealed record AuditQueryToken(string Tenant, long From, long To, string? Action, string? Subject, string Storage)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, AuditQueryTokenJsonContext.Default.AuditQueryToken));

    public static AuditQueryToken? TryDecode(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(Base64Url.DecodeFromChars(text), AuditQueryTokenJsonContext.Default.AuditQueryToken);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}

[JsonSerializable(typeof(AuditQueryToken))]
internal sealed partial class AuditQueryTokenJsonContext : JsonSerializerContext;
