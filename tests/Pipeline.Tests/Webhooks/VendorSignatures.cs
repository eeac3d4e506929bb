using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.Webhooks;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Each vendor's scheme written out again from SPEC §3.1, independently of the code under test, so a
/// mistake in the verifier cannot hide behind the same mistake here.
/// </summary>
internal static class VendorSignatures
{
    public static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string MindTickle(string secret, string timestamp, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]));

    public static string TwinMind(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static string Standard(string whsec, string id, string timestamp, byte[] body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(whsec["whsec_".Length..]), (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body]));

    /// <summary>The signature headers a vendor would send for <paramref name="body"/>.</summary>
    public static (string Name, string Value)[] HeadersFor(WebhookVendor vendor, string secret, byte[] body, DateTimeOffset at, string id = "msg_1")
    {
        var timestamp = Unix(at);
        return vendor switch
        {
            WebhookVendor.MindTickle => [("X-MindTickle-Signature", MindTickle(secret, timestamp, body)), ("X-MindTickle-Timestamp", timestamp)],
            WebhookVendor.TwinMind => [("X-TwinMind-Signature", TwinMind(secret, body))],
            _ => [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", Standard(secret, id, timestamp, body))],
        };
    }

    /// <summary>A signed request for the real host.</summary>
    public static HttpRequestMessage Request(WebhookVendor vendor, string tenant, string secret, byte[] body, DateTimeOffset at, string id = "msg_1")
    {
        var request = Signing.Json($"/api/webhooks/{vendor.RouteName()}/{tenant}", body);
        foreach (var (name, value) in HeadersFor(vendor, secret, body, at, id))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static string NewSecret(WebhookVendor vendor) => vendor == WebhookVendor.Standard ? Secrets.NewWhsec() : Secrets.NewSecret();

    public static HeaderLookup Lookup(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static byte[] Key(WebhookVendor vendor, string secret) =>
        SignatureVerifier.KeyFor(vendor, secret) ?? throw new ArgumentException("Not a valid secret for the vendor.", nameof(secret));
}
