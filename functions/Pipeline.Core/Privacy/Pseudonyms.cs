using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Privacy;

/// <summary>
/// Keyed pseudonyms for subjects (SPEC §3.2): rows about one person correlate without naming them,
/// and without the key nobody can test a guessed email against a row.
/// </summary>
public static class Pseudonyms
{
    /// <summary>Every pseudonym starts with this, so a query can tell one from a raw identifier.</summary>
    public const string Prefix = "psn_";

    /// <summary>The pseudonym of an identifier; case and surrounding spaces do not matter (emails).</summary>
    public static string Of(string key, string identifier)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(identifier.Trim().ToLowerInvariant()), mac);
        return Prefix + Convert.ToHexStringLower(mac[..16]);
    }

    /// <summary>A value already in pseudonym form is kept; anything else is pseudonymised.</summary>
    public static string Normalize(string key, string subject) =>
        subject.StartsWith(Prefix, StringComparison.Ordinal) && subject.Length == Prefix.Length + 32 ? subject : Of(key, subject);
}
