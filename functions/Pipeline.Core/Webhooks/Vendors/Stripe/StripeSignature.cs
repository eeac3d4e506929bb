using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Webhooks.Vendors.Stripe;

/// <summary>
/// Stripe (docs.stripe.com, "Check the webhook signatures"): <c>Stripe-Signature: t={unix},v1={hex}[,v1={hex}…]</c>,
/// each <c>v1</c> a lowercase hex HMAC-SHA256 of <c>{t}.{body}</c> keyed with the UTF-8 bytes of the whole
/// <c>whsec_…</c> secret, as Stripe's libraries use it. Any one <c>v1</c> verifying is enough (Stripe
/// sends several while an endpoint secret is rolled); other schemes (<c>v0</c>) are ignored; <c>t</c>
/// must be within the tolerance both ways.
/// </summary>
public sealed class StripeSignature : SignatureScheme
{
    /// <summary>The signature header.</summary>
    public const string Header = "Stripe-Signature";

    private const string SecretPrefix = "whsec_";

    /// <inheritdoc/>
    public override string SecretFormat => "a Stripe endpoint signing secret (whsec_…)";

    /// <summary>The UTF-8 bytes of the secret, prefix included; null unless it starts <c>whsec_</c> (an API key pasted by mistake does not).</summary>
    public override byte[]? KeyFor(string secret) =>
        secret is { Length: > 6 } && secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(secret) : null;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Headers => [Header];

    /// <inheritdoc/>
    public override SignatureCheck Verify(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var header = headers(Header);
        if (string.IsNullOrEmpty(header))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (Timestamp(header) is not { } timestamp)
        {
            return SignatureCheck.BadSignature;
        }

        if (!HmacSignatures.IsFresh(timestamp, now, tolerance))
        {
            return SignatureCheck.StaleTimestamp;
        }

        Span<byte> expected = stackalloc byte[HmacSignatures.Length];
        Span<byte> presented = stackalloc byte[HmacSignatures.Length];
        foreach (var key in keys)
        {
            HmacSignatures.Compute(key, timestamp, body, expected);
            foreach (var range in header.AsSpan().Split(','))
            {
                var item = header.AsSpan(range);
                if (item.StartsWith("v1=") && HmacSignatures.TryDecodeHex(item[3..], presented)
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
        var key = KeyFor(secret) ?? throw new ArgumentException("A Stripe signing secret starts with whsec_.", nameof(secret));
        var timestamp = HmacSignatures.UnixSeconds(now);
        return [new(Header, $"t={timestamp},v1={Convert.ToHexStringLower(HmacSignatures.Compute(key, timestamp, body))}")];
    }

    /// <summary>The one <c>t=</c> item's value; null when there is none or more than one (which would be ambiguous).</summary>
    private static string? Timestamp(string header)
    {
        string? timestamp = null;
        foreach (var range in header.AsSpan().Split(','))
        {
            var item = header.AsSpan(range);
            if (item.StartsWith("t="))
            {
                if (timestamp is not null)
                {
                    return null;
                }

                timestamp = item[2..].ToString();
            }
        }

        return timestamp;
    }
}
