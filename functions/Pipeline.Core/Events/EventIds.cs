using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Events;

/// <summary>Stable event ids: the same vendor, tenant and event key always give the same id.</summary>
public static class EventIds
{
    /// <summary>
    /// <c>evt_</c> + 128 bits of SHA-256 over vendor, tenant and key, separated by a byte that
    /// none of them can contain, so two different triples never share their hashed text.
    /// </summary>
    public static string Derive(string vendor, string tenant, string eventKey)
    {
        var text = string.Join('\0', vendor.ToLowerInvariant(), tenant.ToLowerInvariant(), eventKey);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return "evt_" + Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>The event key of a body that carries no event id: lowercase hex SHA-256 of the raw bytes.</summary>
    public static string HashBody(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
