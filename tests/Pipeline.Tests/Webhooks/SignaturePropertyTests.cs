using FsCheck;
using FsCheck.Xunit;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

/// <summary>Flipping any single bit of the body, the signature or the timestamp never verifies.</summary>
public sealed class SignaturePropertyTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly string MindTickleSecret = NewSecret("mindtickle");
    private static readonly string TwinMindSecret = NewSecret("twinmind");
    private static readonly string StandardSecret = NewSecret("standard");
    private static readonly string GitHubSecret = NewSecret("github");
    private static readonly string StripeSecret = NewSecret("stripe");

    public enum Part
    {
        Body,
        Signature,
        Timestamp,
        Id,
    }

    [Property(MaxTest = 300)]
    public bool Verify_MindTickleOneBitFlipped_Fails(NonEmptyArray<byte> body, NonNegativeInt bit, bool flipSignature)
        => FlipAndVerify("mindtickle", MindTickleSecret, body.Get, bit.Get, flipSignature ? Part.Signature : Part.Body);

    [Property(MaxTest = 100)]
    public bool Verify_MindTickleTimestampBitFlipped_Fails(NonEmptyArray<byte> body, NonNegativeInt bit)
        => FlipAndVerify("mindtickle", MindTickleSecret, body.Get, bit.Get, Part.Timestamp);

    [Property(MaxTest = 300)]
    public bool Verify_TwinMindOneBitFlipped_Fails(NonEmptyArray<byte> body, NonNegativeInt bit, bool flipSignature)
        => FlipAndVerify("twinmind", TwinMindSecret, body.Get, bit.Get, flipSignature ? Part.Signature : Part.Body);

    [Property(MaxTest = 400)]
    public bool Verify_StandardOneBitFlipped_Fails(NonEmptyArray<byte> body, NonNegativeInt bit, byte part)
        => FlipAndVerify("standard", StandardSecret, body.Get, bit.Get, (Part)(part % 4));

    [Property(MaxTest = 300)]
    public bool Verify_GitHubOneBitFlipped_Fails(NonEmptyArray<byte> body, NonNegativeInt bit, bool flipSignature)
        => FlipAndVerify("github", GitHubSecret, body.Get, bit.Get, flipSignature ? Part.Signature : Part.Body);

    /// <summary>Stripe's header holds the timestamp and the signatures: a flip anywhere in it, or in the body, fails.</summary>
    [Property(MaxTest = 400)]
    public bool Verify_StripeOneBitFlipped_Fails(NonEmptyArray<byte> body, NonNegativeInt bit, bool flipHeader)
        => FlipAndVerify("stripe", StripeSecret, body.Get, bit.Get, flipHeader ? Part.Signature : Part.Body);

    [Property(MaxTest = 50)]
    public bool Verify_Unflipped_IsValid(NonEmptyArray<byte> body, byte vendor)
    {
        var chosen = WebhookVendors.All[vendor % WebhookVendors.All.Count].RouteName;
        var secret = chosen switch
        {
            "mindtickle" => MindTickleSecret,
            "twinmind" => TwinMindSecret,
            "github" => GitHubSecret,
            "stripe" => StripeSecret,
            _ => StandardSecret,
        };
        var headers = HeadersFor(chosen, secret, body.Get, Now);
        return WebhookVendors.Get(chosen).Signature.Verify([Key(chosen, secret)], Lookup(headers), body.Get, Now, Tolerance) == SignatureCheck.Valid;
    }

    private static bool FlipAndVerify(string vendor, string secret, byte[] body, int bit, Part part)
    {
        var headers = HeadersFor(vendor, secret, body, Now);
        var signedBody = body.ToArray();
        var (signatureHeader, timestampHeader) = vendor switch
        {
            "mindtickle" => ("X-MindTickle-Signature", "X-MindTickle-Timestamp"),
            "twinmind" => ("X-TwinMind-Signature", (string?)null),
            "github" => ("X-Hub-Signature-256", null),
            "stripe" => ("Stripe-Signature", null),
            _ => ("webhook-signature", "webhook-timestamp"),
        };
        switch (part)
        {
            case Part.Body:
                signedBody[bit / 8 % signedBody.Length] ^= (byte)(1 << (bit % 8));
                break;
            case Part.Signature:
                headers = FlipHeader(headers, signatureHeader, bit);
                break;
            case Part.Timestamp when timestampHeader is not null:
                headers = FlipHeader(headers, timestampHeader, bit);
                break;
            case Part.Id:
                headers = FlipHeader(headers, "webhook-id", bit);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(part));
        }

        var result = WebhookVendors.Get(vendor).Signature.Verify([Key(vendor, secret)], Lookup(headers), signedBody, Now, Tolerance);
        return result is SignatureCheck.BadSignature or SignatureCheck.StaleTimestamp;
    }

    /// <summary>Flips one of the low eight bits of one character of the header value.</summary>
    private static (string Name, string Value)[] FlipHeader((string Name, string Value)[] headers, string name, int bit) =>
        [.. headers.Select(h =>
        {
            if (h.Name != name)
            {
                return h;
            }

            var chars = h.Value.ToCharArray();
            chars[bit / 8 % chars.Length] ^= (char)(1 << (bit % 8));
            return (h.Name, new string(chars));
        })];
}
