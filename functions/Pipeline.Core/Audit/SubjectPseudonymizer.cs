using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Audit;

/// <summary>
/// Turns a subject's identifier (an email) into a stable pseudonym: lowercase hex HMAC-SHA256 under a
/// configured key, over the trimmed, lowercased identifier. Without the key a pseudonym cannot be
/// linked back to an email, and the same person always gets the same pseudonym, so their data can be
/// found for export and erasure.
/// </summary>
public sealed class SubjectPseudonymizer
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinimumKeyBytes = 32;

    private readonly byte[] _key;

    public SubjectPseudonymizer(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"The pseudonym key must be at least {MinimumKeyBytes} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>The pseudonym of <paramref name="identifier"/>.</summary>
    public string For(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var normalized = Encoding.UTF8.GetBytes(identifier.Trim().ToLowerInvariant());
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, normalized, mac);
        return Convert.ToHexStringLower(mac);
    }
}
