using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Signs a body the way each vendor does (SPEC §3.1), for the operator CLI's <c>send</c> and for
/// tests that drive the whole pipeline. The verifier never uses it.
/// </summary>
public static class WebhookSigner
{
    /// <summary>The signature headers for <paramref name="body"/>, signed with <paramref name="secret"/> at <paramref name="now"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sign(
        WebhookVendor vendor, string secret, ReadOnlySpan<byte> body, DateTimeOffset now, string? webhookId = null)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        switch (vendor)
        {
            case WebhookVendor.MindTickle:
                return
                [
                    new("x-mindtickle-signature", Convert.ToHexStringLower(Hmac(Encoding.UTF8.GetBytes(secret), timestamp + ".", body))),
                    new("x-mindtickle-timestamp", timestamp),
                ];
            case WebhookVendor.TwinMind:
                return [new("x-twinmind-signature", "sha256=" + Convert.ToHexStringLower(Hmac(Encoding.UTF8.GetBytes(secret), "", body)))];
            case WebhookVendor.Standard:
                if (!SignatureVerifier.TryDecodeWhsec(secret, out var key))
                {
                    throw new ArgumentException("A Standard Webhooks secret is whsec_ followed by base64.", nameof(secret));
                }

                var id = webhookId ?? "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
                return
                [
                    new("webhook-id", id),
                    new("webhook-timestamp", timestamp),
                    new("webhook-signature", "v1," + Convert.ToBase64String(Hmac(key, $"{id}.{timestamp}.", body))),
                ];
            default:
                throw new ArgumentOutOfRangeException(nameof(vendor));
        }
    }

    private static byte[] Hmac(byte[] key, string prefix, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(prefix));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
