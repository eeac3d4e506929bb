using System.Buffers.Text;
using System.Security.Cryptography;

namespace Pipeline.Core.Webhooks.Vendors.StandardWebhooks;

/// <summary>
/// Standard Webhooks (standardwebhooks.com): <c>webhook-signature</c> holds a space-separated list of
/// <c>v1,{base64}</c> HMAC-SHA256s of <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the
/// base64-decoded part of a <c>whsec_</c> secret; the timestamp must be within the tolerance both ways.
/// </summary>
public sealed class StandardWebhooksSignature : SignatureScheme
{
    private const string WhsecPrefix = "whsec_";

    /// <inheritdoc/>
    public override string SecretFormat => "a whsec_ base64 secret";

    /// <inheritdoc/>
    public override byte[]? KeyFor(string secret) => TryDecodeWhsec(secret, out var key) ? key : null;

    /// <summary>The <c>webhook-*</c> names; each may come as its <c>svix-*</c> name instead.</summary>
    public override IReadOnlyList<string> Headers { get; } = ["webhook-id", "webhook-timestamp", "webhook-signature"];

    /// <inheritdoc/>
    public override SignatureCheck Verify(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        var id = Header(headers, "id");
        var timestamp = Header(headers, "timestamp");
        var signatures = Header(headers, "signature");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (!HmacSignatures.IsFresh(timestamp, now, tolerance))
        {
            return SignatureCheck.StaleTimestamp;
        }

        Span<byte> expected = stackalloc byte[HmacSignatures.Length];
        Span<byte> presented = stackalloc byte[HmacSignatures.Length];
        var signedPrefix = $"{id}.{timestamp}";
        foreach (var key in keys)
        {
            HmacSignatures.Compute(key, signedPrefix, body, expected);
            foreach (var range in signatures.AsSpan().Split(' '))
            {
                var entry = signatures.AsSpan(range);
                if (entry.StartsWith("v1,") && HmacSignatures.TryDecodeBase64(entry[3..], presented)
                    && CryptographicOperations.FixedTimeEquals(expected, presented))
                {
                    return SignatureCheck.Valid;
                }
            }
        }

        return SignatureCheck.BadSignature;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, string>> Sign(string secret, ReadOnlySpan<byte> body, DateTimeOffset now, string? eventId = null)
    {
        var key = KeyFor(secret) ?? throw new ArgumentException("A Standard Webhooks secret is whsec_ followed by base64.", nameof(secret));
        var id = eventId ?? "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var timestamp = HmacSignatures.UnixSeconds(now);
        return
        [
            new("webhook-id", id),
            new("webhook-timestamp", timestamp),
            new("webhook-signature", "v1," + Convert.ToBase64String(HmacSignatures.Compute(key, $"{id}.{timestamp}", body))),
        ];
    }

    /// <summary>
    /// A Standard Webhooks header: <c>webhook-{name}</c>, or <c>svix-{name}</c> as Svix (the largest
    /// sender) names them; the reference libraries accept both.
    /// </summary>
    public static string? Header(HeaderLookup headers, string name)
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
        ArgumentNullException.ThrowIfNull(secret);
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
