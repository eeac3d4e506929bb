using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// The pieces the signature schemes share: HMAC-SHA256 over <c>{prefix}.{body}</c> without copying the
/// body, strict decoding of presented signatures (one text per signature, so no altered text still
/// verifies), and the timestamp tolerance, in both directions.
/// </summary>
internal static class HmacSignatures
{
    /// <summary>The length of an HMAC-SHA256.</summary>
    public const int Length = 32;

    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    /// <summary>HMAC-SHA256 of <c>{prefix}.{body}</c>, or of the body alone when <paramref name="prefix"/> is null.</summary>
    public static void Compute(byte[] key, string? prefix, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var hmac = ThreadHmacs.For(key);
        if (prefix is not null)
        {
            var length = Encoding.UTF8.GetMaxByteCount(prefix.Length) + 1;
            byte[]? rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
            Span<byte> buffer = rented ?? stackalloc byte[512];
            var written = Encoding.UTF8.GetBytes(prefix, buffer);
            buffer[written++] = (byte)'.';
            hmac.AppendData(buffer[..written]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        // The body is hashed where it lies, never copied.
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    /// <summary>The HMAC as a new array, for signers.</summary>
    public static byte[] Compute(byte[] key, string? prefix, ReadOnlySpan<byte> body)
    {
        var hash = new byte[Length];
        Compute(key, prefix, body, hash);
        return hash;
    }

    /// <summary>True when any key's HMAC of <c>{prefix}.{body}</c> equals <paramref name="presented"/> (constant time).</summary>
    public static bool AnyKeyMatches(IReadOnlyList<byte[]> keys, string? prefix, ReadOnlySpan<byte> body, ReadOnlySpan<byte> presented)
    {
        Span<byte> expected = stackalloc byte[Length];
        foreach (var key in keys)
        {
            Compute(key, prefix, body, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Unix seconds, as the schemes write them.</summary>
    public static string UnixSeconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="timestamp"/> is unix seconds within <paramref name="tolerance"/> of now, past or future.</summary>
    public static bool IsFresh(ReadOnlySpan<char> timestamp, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var skew = now.ToUnixTimeSeconds() - seconds;
        return Math.Abs((decimal)skew) <= (decimal)tolerance.TotalSeconds;
    }

    /// <summary>Lowercase hex only, as the schemes specify.</summary>
    public static bool TryDecodeHex(ReadOnlySpan<char> hex, Span<byte> destination) =>
        hex.Length == destination.Length * 2
        && !hex.ContainsAnyExcept(LowercaseHex)
        && Convert.FromHexString(hex, destination, out _, out var written) == OperationStatus.Done
        && written == destination.Length;

    /// <summary>
    /// Canonical base64 only (44 characters for 32 bytes, padded, no whitespace, zero trailing bits):
    /// the decoder alone would let a few altered texts decode to the same bytes.
    /// </summary>
    public static bool TryDecodeBase64(ReadOnlySpan<char> text, Span<byte> destination)
    {
        const int Base64Length = (Length + 2) / 3 * 4;
        Span<char> canonical = stackalloc char[Base64Length];
        return text.Length == Base64Length
            && Convert.TryFromBase64Chars(text, destination, out var written) && written == destination.Length
            && Convert.TryToBase64Chars(destination, canonical, out var encoded) && encoded == Base64Length
            && text.SequenceEqual(canonical);
    }
}
