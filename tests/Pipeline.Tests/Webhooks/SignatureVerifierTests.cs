using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.Webhooks;

namespace Pipeline.Tests.Webhooks;

public sealed class SignatureVerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly byte[] Body = """{"event_id":"e-1","event_type":"course.completed","data":{}}"""u8.ToArray();

    [Fact]
    public void Verify_MindTickleSignedWithSecondSecret_IsValid()
    {
        var timestamp = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = MindTickleSignature("new-secret", timestamp, Body);
        var headers = Headers(("X-MindTickle-Signature", signature), ("X-MINDTICKLE-TIMESTAMP", timestamp));

        var result = SignatureVerifier.Verify(WebhookVendor.MindTickle, ["old-secret", "new-secret"], headers, Body, Now, Tolerance);

        Assert.Equal(SignatureCheck.Valid, result);
    }

    [Theory]
    [InlineData(-301, SignatureCheck.StaleTimestamp)]
    [InlineData(301, SignatureCheck.StaleTimestamp)]
    [InlineData(300, SignatureCheck.Valid)]
    [InlineData(-300, SignatureCheck.Valid)]
    public void Verify_MindTickleTimestampSkew_HonoursToleranceBothWays(int skewSeconds, SignatureCheck expected)
    {
        var timestamp = (Now.ToUnixTimeSeconds() + skewSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = Headers(("x-mindtickle-signature", MindTickleSignature("s", timestamp, Body)), ("x-mindtickle-timestamp", timestamp));

        Assert.Equal(expected, SignatureVerifier.Verify(WebhookVendor.MindTickle, ["s"], headers, Body, Now, Tolerance));
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("abcd")]
    [InlineData("sha256=00")]
    public void Verify_MindTickleMalformedSignature_IsBadSignatureNotException(string signature)
    {
        var timestamp = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = Headers(("x-mindtickle-signature", signature + "ff"), ("x-mindtickle-timestamp", timestamp));

        Assert.Equal(SignatureCheck.BadSignature, SignatureVerifier.Verify(WebhookVendor.MindTickle, ["s"], headers, Body, Now, Tolerance));
    }

    [Fact]
    public void Verify_MindTickleMissingTimestamp_IsMissingHeaders()
    {
        var headers = Headers(("x-mindtickle-signature", "00"));

        Assert.Equal(SignatureCheck.MissingHeaders, SignatureVerifier.Verify(WebhookVendor.MindTickle, ["s"], headers, Body, Now, Tolerance));
    }

    internal static string MindTickleSignature(string secret, string timestamp, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]));

    private static HeaderLookup Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
}
