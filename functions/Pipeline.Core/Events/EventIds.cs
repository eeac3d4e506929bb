using System.Buffers;
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
        // Encoded into a stack (or pooled) buffer and hashed there: on the ingress's hot path the only
        // string allocated is the id itself.
        var length = Encoding.UTF8.GetMaxByteCount(vendor.Length + tenant.Length + eventKey.Length + 2);
        byte[]? rented = null;
        Span<byte> text = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Lowercased(vendor, text);
            text[written++] = 0;
            written += Lowercased(tenant, text[written..]);
            text[written++] = 0;
            written += Encoding.UTF8.GetBytes(eventKey, text[written..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha256.AppendData(text[..written]);
            sha256.GetHashAndReset(hash);
            return string.Create(Prefix.Length + 32, (ReadOnlySpan<byte>)hash[..16], static (id, bytes) =>
            {
                Prefix.CopyTo(id);
                Convert.TryToHexStringLower(bytes, id[Prefix.Length..], out _);
            });
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private const string Prefix = "evt_";

    /// <summary>
    /// Each thread's SHA-256, reset after each id: OpenSSL's one-shot digest sets up a new context every call,
    /// which for an id's few dozen bytes cost twice the hashing (measured on the ingress, see docs/PERFORMANCE.md).
    /// </summary>
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    // As ToLowerInvariant would, without the copy when there is nothing to lower (route names and tenant ids).
    private static int Lowercased(string value, Span<byte> destination) =>
        Encoding.UTF8.GetBytes(value.AsSpan().ContainsAnyInRange('A', 'Z') || !Ascii.IsValid(value) ? value.ToLowerInvariant() : value, destination);

    /// <summary>The event key of a body that carries no event id: lowercase hex SHA-256 of the raw bytes.</summary>
    public static string HashBody(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
