using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks.Vendors;

public sealed class StripeSignatureTests
{
    private static readonly WebhookVendor Stripe = WebhookVendors.Get("stripe");
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    // Computed outside .NET: printf '%s' '1700000000.{body}' | openssl dgst -sha256 -hmac whsec_test_secret
    private const string Secret = "whsec_test_secret";
    private const long Timestamp = 1_700_000_000;
    private const string Expected = "417353bb9b6abfb88d9fe516c5c3b964105258ffcad788da3ece8e1db687afa2";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"customer.created"}""");
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private static SignatureCheck Verify(string header, byte[]? body = null, string[]? secrets = null, DateTimeOffset? now = null) =>
        Stripe.Signature.Verify(
            [.. (secrets ?? [Secret]).Select(s => Stripe.Signature.KeyFor(s)!)], Lookup(("Stripe-Signature", header)), body ?? Body, now ?? At, Tolerance);

    [Fact]
    public void Verify_IndependentlyComputedSignature_IsValid()
    {
        Assert.Equal(SignatureCheck.Valid, Verify($"t={Timestamp},v1={Expected}"));
    }

    [Fact]
    public void Sign_GivesTheIndependentlyComputedHeader()
    {
        Assert.Equal([new("Stripe-Signature", $"t={Timestamp},v1={Expected}")], Stripe.Signature.Sign(Secret, Body, At));
    }

    [Fact]
    public void Verify_SeveralV1DuringRotation_AnyOneMatchingIsValid()
    {
        var other = Stripe.Signature.Sign("whsec_the_other_secret", Body, At)[0].Value.Split(",v1=")[1];

        Assert.Equal(SignatureCheck.Valid, Verify($"t={Timestamp},v1={other},v1={Expected}"));
        Assert.Equal(SignatureCheck.Valid, Verify($"t={Timestamp},v1={Expected},v1={other}"));
        Assert.Equal(SignatureCheck.BadSignature, Verify($"t={Timestamp},v1={other}"));
    }

    [Fact]
    public void Verify_SecondConfiguredSecret_IsValid()
    {
        Assert.Equal(SignatureCheck.Valid, Verify($"t={Timestamp},v1={Expected}", secrets: ["whsec_old", Secret]));
    }

    [Fact]
    public void Verify_OtherSchemes_AreIgnored()
    {
        // v0 is Stripe's test-mode scheme: never accepted, even carrying the right HMAC; it does not hide a valid v1 either.
        Assert.Equal(SignatureCheck.BadSignature, Verify($"t={Timestamp},v0={Expected}"));
        Assert.Equal(SignatureCheck.Valid, Verify($"t={Timestamp},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39,v1={Expected}"));
        Assert.Equal(SignatureCheck.Valid, Verify($"v1={Expected},t={Timestamp},v2=abc"));
    }

    [Theory]
    [InlineData("v1=" + Expected)]
    [InlineData("t=1700000000,t=1700000000,v1=" + Expected)]
    [InlineData("t=1700000000")]
    [InlineData("t=1700000000,v1=" + "417353BB9B6ABFB88D9FE516C5C3B964105258FFCAD788DA3ECE8E1DB687AFA2")]
    [InlineData("t=1700000000, v1=" + Expected)]
    [InlineData("t=1700000000,v1=" + Expected + "00")]
    [InlineData("garbage")]
    public void Verify_MalformedHeader_IsBadSignature(string header)
    {
        Assert.Equal(SignatureCheck.BadSignature, Verify(header));
    }

    [Theory]
    [InlineData(-301, SignatureCheck.StaleTimestamp)]
    [InlineData(301, SignatureCheck.StaleTimestamp)]
    [InlineData(-300, SignatureCheck.Valid)]
    [InlineData(300, SignatureCheck.Valid)]
    public void Verify_ClockSkew_HonoursToleranceBothWays(int skewSeconds, SignatureCheck expected)
    {
        Assert.Equal(expected, Verify($"t={Timestamp},v1={Expected}", now: At.AddSeconds(-skewSeconds)));
    }

    [Theory]
    [InlineData("sk_test_123")]
    [InlineData("whsec_")]
    [InlineData("")]
    public void KeyFor_NotAnEndpointSecret_IsNull(string secret)
    {
        Assert.Null(Stripe.Signature.KeyFor(secret));
    }

    /// <summary>Any one byte of the body, or any one character of the header (timestamp or signature), changed to any other value never verifies.</summary>
    [Property(MaxTest = 500)]
    public bool Verify_OneByteChanged_Fails(NonNegativeInt position, byte change, bool inHeader)
    {
        var delta = change == 0 ? (byte)1 : change;
        var header = $"t={Timestamp},v1={Expected}";
        var body = Body.ToArray();
        if (inHeader)
        {
            var chars = header.ToCharArray();
            chars[position.Get % chars.Length] = (char)(chars[position.Get % chars.Length] ^ delta);
            header = new string(chars);
        }
        else
        {
            body[position.Get % body.Length] ^= delta;
        }

        return Verify(header, body) is SignatureCheck.BadSignature or SignatureCheck.StaleTimestamp;
    }
}
