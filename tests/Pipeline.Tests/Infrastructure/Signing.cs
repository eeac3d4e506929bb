using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Builds signed webhook requests the way each vendor signs them (SPEC §3.1).</summary>
internal static class Signing
{
    public static HttpRequestMessage MindTickle(string tenant, string secret, byte[] body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]);
        var request = Json($"/api/webhooks/mindtickle/{tenant}", body);
        request.Headers.Add("x-mindtickle-signature", Convert.ToHexStringLower(signature));
        request.Headers.Add("x-mindtickle-timestamp", timestamp);
        return request;
    }

    /// <summary>TwinMind: <c>sha256=</c> and the hex HMAC-SHA256 of the raw body.</summary>
    public static HttpRequestMessage TwinMind(string tenant, string secret, byte[] body)
    {
        var request = Json($"/api/webhooks/twinmind/{tenant}", body);
        request.Headers.Add("x-twinmind-signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return request;
    }

    public static HttpRequestMessage Json(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }
}
