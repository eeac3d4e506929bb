using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
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

    public static string GitHub(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Stripe keys the HMAC with the whole <c>whsec_…</c> string as UTF-8 (as its libraries do).</summary>
    public static string Stripe(string secret, string timestamp, byte[] body) =>
        $"t={timestamp},v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]));

    public static string Standard(string whsec, string id, string timestamp, byte[] body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(whsec["whsec_".Length..]), (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body]));

    /// <summary>The vendors the fuzz and property tests draw from, as before GitHub and Stripe (their seeds replay the same cases).</summary>
    public static readonly string[] Original = ["mindtickle", "twinmind", "standard"];

    /// <summary>The signature headers a vendor would send for <paramref name="body"/>; GitHub's also name the event (<paramref name="eventType"/>) and the delivery.</summary>
    public static (string Name, string Value)[] HeadersFor(string vendor, string secret, byte[] body, DateTimeOffset at, string id = "msg_1", string eventType = "push")
    {
        var timestamp = Unix(at);
        return vendor switch
        {
            "mindtickle" => [("X-MindTickle-Signature", MindTickle(secret, timestamp, body)), ("X-MindTickle-Timestamp", timestamp)],
            "twinmind" => [("X-TwinMind-Signature", TwinMind(secret, body))],
            "github" => [("X-Hub-Signature-256", GitHub(secret, body)), ("X-GitHub-Event", eventType), ("X-GitHub-Delivery", id)],
            "stripe" => [("Stripe-Signature", Stripe(secret, timestamp, body))],
            _ => [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", Standard(secret, id, timestamp, body))],
        };
    }

    /// <summary>A signed request for the real host.</summary>
    public static HttpRequestMessage Request(string vendor, string tenant, string secret, byte[] body, DateTimeOffset at, string id = "msg_1", string eventType = "push")
    {
        var request = Signing.Json($"/api/webhooks/{vendor}/{tenant}", body);
        foreach (var (name, value) in HeadersFor(vendor, secret, body, at, id, eventType))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static string NewSecret(string vendor) => vendor switch
    {
        "standard" => Secrets.NewWhsec(),
        // Stripe's endpoint secrets are whsec_ and a random string, used as they are.
        "stripe" => "whsec_" + Secrets.NewSecret(),
        _ => Secrets.NewSecret(),
    };

    public static HeaderLookup Lookup(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static byte[] Key(string vendor, string secret) =>
        WebhookVendors.Get(vendor).Signature.KeyFor(secret) ?? throw new ArgumentException("Not a valid secret for the vendor.", nameof(secret));
}
