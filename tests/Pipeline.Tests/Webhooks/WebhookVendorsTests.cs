using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;

namespace Pipeline.Tests.Webhooks;

/// <summary>What every vendor in the registry must hold, so a new vendor is checked by being listed.</summary>
public sealed class WebhookVendorsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    public static TheoryData<string> RouteNames() => [.. WebhookVendors.All.Select(vendor => vendor.RouteName)];

    [Fact]
    public void All_RouteNames_AreUniqueLowercaseRouteSegments()
    {
        var names = WebhookVendors.All.Select(vendor => vendor.RouteName).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, name => Assert.Matches("^[a-z][a-z0-9-]*$", name));
        Assert.Equal(["mindtickle", "twinmind", "standard", "github", "stripe"], names);
    }

    [Theory]
    [InlineData("GitHub", "github")]
    [InlineData("STRIPE", "stripe")]
    [InlineData("MindTickle", "mindtickle")]
    public void TryParse_AnyCase_FindsTheVendor(string route, string expected)
    {
        Assert.True(WebhookVendors.TryParse(route, out var vendor));
        Assert.Equal(expected, vendor.RouteName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("zoom")]
    [InlineData("github ")]
    public void TryParse_Unknown_IsFalse(string? route)
    {
        Assert.False(WebhookVendors.TryParse(route, out var vendor));
        Assert.Null(vendor);
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Sign_ThenVerify_IsValid(string routeName)
    {
        var vendor = WebhookVendors.Get(routeName);
        var secret = VendorSignatures.NewSecret(routeName);
        var body = """{"id":"evt_1","type":"a.b","event_id":"e1","event_type":"a.b","data":{}}"""u8.ToArray();
        var headers = vendor.Sign(secret, body, Now, eventType: "a.b", eventId: "msg_9");

        HeaderLookup lookup = name => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        Assert.Equal(SignatureCheck.Valid, vendor.Signature.Verify([vendor.Signature.KeyFor(secret)!], lookup, body, Now, TimeSpan.FromMinutes(5)));
        Assert.Equal(SignatureCheck.BadSignature, vendor.Signature.Verify([vendor.Signature.KeyFor(VendorSignatures.NewSecret(routeName))!], lookup, body, Now, TimeSpan.FromMinutes(5)));
        if (vendor.EventTypeHeader is { } typeHeader)
        {
            Assert.Equal("a.b", lookup(typeHeader));
        }

        if (vendor.EventIdHeader is { } idHeader)
        {
            Assert.Equal("msg_9", vendor.Header(lookup, idHeader));
        }
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Verify_AnySchemeHeaderMissing_IsMissingHeaders(string routeName)
    {
        var vendor = WebhookVendors.Get(routeName);
        var secret = VendorSignatures.NewSecret(routeName);
        var body = """{"type":"a.b"}"""u8.ToArray();
        var headers = vendor.Sign(secret, body, Now, eventType: "a.b");

        Assert.NotEmpty(vendor.Signature.Headers);
        foreach (var missing in vendor.Signature.Headers)
        {
            HeaderLookup lookup = name => string.Equals(name, missing, StringComparison.OrdinalIgnoreCase)
                ? null
                : headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

            Assert.Equal(SignatureCheck.MissingHeaders, vendor.Signature.Verify([vendor.Signature.KeyFor(secret)!], lookup, body, Now, TimeSpan.FromMinutes(5)));
        }
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Envelope_NamesTheEventTypeOnce_AndEveryDeclaredSchemaExtendsIt(string routeName)
    {
        var vendor = WebhookVendors.Get(routeName);

        Assert.True(vendor.EventTypeField is null != vendor.EventTypeHeader is null, "the type is a field or a header, not both");
        Assert.False(vendor.EventIdField is not null && vendor.EventIdHeader is not null, "the id is a field or a header, not both");
        var envelope = vendor.Envelope.Paths().ToList();
        Assert.All(vendor.EventTypes, type => Assert.Superset(envelope.ToHashSet(), type.Value.Paths().ToHashSet()));
        Assert.All(vendor.EventTypes.Keys, type => Assert.Equal(type.Trim(), type));
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Envelope_KeepsTheEventIdAndTypeFields(string routeName)
    {
        var vendor = WebhookVendors.Get(routeName);
        var safe = vendor.Envelope.Paths().Where(p => p.Classification == PipelineTaxonomy.Safe).Select(p => p.Path).ToList();

        Assert.All(new[] { vendor.EventIdField, vendor.EventTypeField }.OfType<string>(), field => Assert.Contains(field, safe));
    }
}
