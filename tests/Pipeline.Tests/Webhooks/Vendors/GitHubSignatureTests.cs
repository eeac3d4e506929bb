using System.Text;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks.Vendors;

public sealed class GitHubSignatureTests
{
    private static readonly WebhookVendor GitHub = WebhookVendors.Get("github");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    // GitHub's published example (docs.github.com, "Validating webhook deliveries", "Testing the webhook
    // payload validation"); openssl dgst -sha256 -hmac gives the same value.
    private const string PublishedSecret = "It's a Secret to Everybody";
    private const string PublishedSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    private static readonly byte[] PublishedPayload = Encoding.UTF8.GetBytes("Hello, World!");

    private static SignatureCheck Verify(string secret, string signature, byte[] body) =>
        GitHub.Signature.Verify([GitHub.Signature.KeyFor(secret)!], Lookup(("X-Hub-Signature-256", signature)), body, Now, TimeSpan.FromMinutes(5));

    [Fact]
    public void Verify_PublishedExample_IsValid()
    {
        Assert.Equal(SignatureCheck.Valid, Verify(PublishedSecret, PublishedSignature, PublishedPayload));
    }

    [Fact]
    public void Sign_PublishedExample_GivesThePublishedSignature()
    {
        var headers = GitHub.Signature.Sign(PublishedSecret, PublishedPayload, Now);

        Assert.Equal([new("X-Hub-Signature-256", PublishedSignature)], headers);
    }

    [Theory]
    [InlineData("Hello, World?")]
    [InlineData("Hello, World! ")]
    [InlineData("hello, World!")]
    public void Verify_PublishedSignatureOverAnotherPayload_IsBadSignature(string payload)
    {
        Assert.Equal(SignatureCheck.BadSignature, Verify(PublishedSecret, PublishedSignature, Encoding.UTF8.GetBytes(payload)));
    }

    [Theory]
    [InlineData("sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")]
    [InlineData("sha256= 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    public void Verify_PublishedSignatureWrittenOtherwise_IsBadSignature(string signature)
    {
        // One text per signature: uppercase hex, another prefix or a truncated value never verifies.
        Assert.Equal(SignatureCheck.BadSignature, Verify(PublishedSecret, signature, PublishedPayload));
    }

    [Fact]
    public void Verify_PublishedSignatureWithAnotherSecret_IsBadSignature()
    {
        Assert.Equal(SignatureCheck.BadSignature, Verify("It's a Secret to Nobody", PublishedSignature, PublishedPayload));
    }
}
