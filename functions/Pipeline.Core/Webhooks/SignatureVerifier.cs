using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Webhooks;

/// <summary>Looks up a request header by name, case-insensitively; null when absent.</summary>
public delegate string? HeaderLookup(string name);

/// <summary>
/// Verifies vendor signatures over the exact raw body (SPEC §3.1): HMAC-SHA256, compared in constant
/// time on decoded bytes, with any configured secret (rotation) and any presented signature.
/// </summary>
public static class SignatureVerifier
{
    private const int HmacLength = 32;
    private const string WhsecPrefix = "whsec_";
    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Checks the request's signature headers against the tenant's HMAC keys for the vendor (see
    /// <see cref="KeyFor"/>: decoded once at start, not per request).
    /// </summary>
    public static SignatureCheck Verify(
        WebhookVendor vendor,
        IReadOnlyList<byte[]> keys,
        HeaderLookup headers,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        TimeSpan tolerance) => vendor switch
        {
            WebhookVendor.MindTickle => VerifyMindTickle(keys, headers, body, now, tolerance),
            WebhookVendor.TwinMind => VerifyTwinMind(keys, headers, body),
            WebhookVendor.Standard => VerifyStandard(keys, headers, body, now, tolerance),
            _ => throw new ArgumentOutOfRangeException(nameof(vendor)),
        };

    private static SignatureCheck VerifyMindTickle(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        var signature = headers("x-mindtickle-signature");
        var timestamp = headers("x-mindtickle-timestamp");
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (!IsFresh(timestamp, now, tolerance))
        {
            return SignatureCheck.StaleTimestamp;
        }

        Span<byte> presented = stackalloc byte[HmacLength];
        if (!TryDecodeHex(signature, presented))
        {
            return SignatureCheck.BadSignature;
        }

        Span<byte> expected = stackalloc byte[HmacLength];
        foreach (var key in keys)
        {
            ComputeHmac(key, timestamp, body, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                return SignatureCheck.Valid;
            }
        }

        return SignatureCheck.BadSignature;
    }

    private static SignatureCheck VerifyTwinMind(IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body)
    {
        var signature = headers("x-twinmind-signature");
        if (string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.MissingHeaders;
        }

        Span<byte> presented = stackalloc byte[HmacLength];
        if (!signature.StartsWith("sha256=", StringComparison.Ordinal) || !TryDecodeHex(signature.AsSpan(7), presented))
        {
            return SignatureCheck.BadSignature;
        }

        Span<byte> expected = stackalloc byte[HmacLength];
        foreach (var key in keys)
        {
            HMACSHA256.HashData(key, body, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                return SignatureCheck.Valid;
            }
        }

        return SignatureCheck.BadSignature;
    }

    private static SignatureCheck VerifyStandard(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        var id = StandardHeader(headers, "id");
        var timestamp = StandardHeader(headers, "timestamp");
        var signatures = StandardHeader(headers, "signature");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (!IsFresh(timestamp, now, tolerance))
        {
            return SignatureCheck.StaleTimestamp;
        }

        Span<byte> expected = stackalloc byte[HmacLength];
        Span<byte> presented = stackalloc byte[HmacLength];
        var signedPrefix = $"{id}.{timestamp}";
        foreach (var key in keys)
        {
            ComputeHmac(key, signedPrefix, body, expected);
            foreach (var range in signatures.AsSpan().Split(' '))
            {
                var entry = signatures.AsSpan(range);
                if (entry.StartsWith("v1,") && TryDecodeBase64(entry[3..], presented)
                    && CryptographicOperations.FixedTimeEquals(expected, presented))
                {
                    return SignatureCheck.Valid;
                }
            }
        }

        return SignatureCheck.BadSignature;
    }

    /// <summary>The HMAC key of a configured secret; null when a Standard Webhooks secret is not <c>whsec_</c> base64.</summary>
    public static byte[]? KeyFor(WebhookVendor vendor, string secret) => vendor switch
    {
        WebhookVendor.Standard => TryDecodeWhsec(secret, out var key) ? key : null,
        _ => Encoding.UTF8.GetBytes(secret),
    };

    /// <summary>HMAC-SHA256 of <c>{prefix}.{body}</c> without copying the body.</summary>
    private static void ComputeHmac(byte[] key, string prefix, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        var length = Encoding.UTF8.GetMaxByteCount(prefix.Length) + 1;
        byte[]? rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var written = Encoding.UTF8.GetBytes(prefix, buffer);
        buffer[written++] = (byte)'.';
        hmac.AppendData(buffer[..written]);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool IsFresh(string timestamp, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var skew = now.ToUnixTimeSeconds() - seconds;
        return Math.Abs((decimal)skew) <= (decimal)tolerance.TotalSeconds;
    }

    /// <summary>Lowercase hex only, as the schemes specify: one text per signature, so no altered text still verifies.</summary>
    private static bool TryDecodeHex(ReadOnlySpan<char> hex, Span<byte> destination) =>
        hex.Length == destination.Length * 2
        && !hex.ContainsAnyExcept(LowercaseHex)
        && Convert.FromHexString(hex, destination, out _, out var written) == OperationStatus.Done
        && written == destination.Length;

    /// <summary>
    /// Canonical base64 only (44 characters for 32 bytes, padded, no whitespace, zero trailing bits):
    /// the decoder alone would let a few altered texts decode to the same bytes.
    /// </summary>
    private static bool TryDecodeBase64(ReadOnlySpan<char> text, Span<byte> destination)
    {
        const int Base64Length = (HmacLength + 2) / 3 * 4;
        Span<char> canonical = stackalloc char[Base64Length];
        return text.Length == Base64Length
            && Convert.TryFromBase64Chars(text, destination, out var written) && written == destination.Length
            && Convert.TryToBase64Chars(destination, canonical, out var encoded) && encoded == Base64Length
            && text.SequenceEqual(canonical);
    }

    /// <summary>
    /// A Standard Webhooks header: <c>webhook-{name}</c>, or <c>svix-{name}</c> as Svix (the largest
    /// sender) names them; the reference libraries accept both.
    /// </summary>
    public static string? StandardHeader(HeaderLookup headers, string name)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers("webhook-" + name) is { Length: > 0 } value ? value : headers("svix-" + name);
    }

    /// <summary>
    /// Standard Webhooks secrets are <c>whsec_</c> + base64; the key is the decoded bytes. Padding may be
    /// left off, as the reference libraries allow.
    /// </summary>
    public static bool TryDecodeWhsec(string secret, out byte[] key)
    {
        var encoded = secret.StartsWith(WhsecPrefix, StringComparison.Ordinal) ? secret[WhsecPrefix.Length..] : secret;
        if (encoded.Length % 4 is 2 or 3)
        {
            encoded += new string('=', 4 - encoded.Length % 4);
        }

        key = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (!Convert.TryFromBase64String(encoded, key, out var written) || written == 0)
        {
            key = [];
            return false;
        }

        key = key[..written];
        return true;
    }
}
