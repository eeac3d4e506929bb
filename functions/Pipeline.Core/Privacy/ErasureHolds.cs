using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Privacy;

/// <summary>
/// Erasure holds (SPEC §5): after a transcript is deleted or its subject erased, a keyed tombstone of
/// tenant + transcript id stays for the retention period, so no replay of the same vendor event, however
/// late, stores it again. The tombstone is an HMAC under a key derived from the pseudonym key: it names
/// no id, and without the key nobody can test a guessed id against it.
/// </summary>
public static class ErasureHolds
{
    /// <summary>The tombstone key of a transcript id of a tenant.</summary>
    public static string TranscriptKey(string pseudonymKey, string tenant, string transcriptId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pseudonymKey);
        Span<byte> derived = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(pseudonymKey), "pipeline erasure hold v1"u8, derived);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(derived, Encoding.UTF8.GetBytes($"transcript\0{tenant.ToLowerInvariant()}\0{transcriptId}"), mac);
        return "t_" + Convert.ToHexStringLower(mac);
    }
}
