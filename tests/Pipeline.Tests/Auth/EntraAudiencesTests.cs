using Pipeline.Host.Auth;

namespace Pipeline.Tests.Auth;

public sealed class EntraAudiencesTests
{
    private const string ClientId = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

    [Theory]
    [InlineData(ClientId)]
    [InlineData("api://" + ClientId)]
    [InlineData(" api://" + ClientId + " ")]
    public void For_ClientIdOrItsApiUri_AcceptsBothForms(string configured) =>
        Assert.Equal([ClientId, "api://" + ClientId], EntraAudiences.For(configured).Order(StringComparer.Ordinal));

    [Fact]
    public void For_AnyOtherIdentifierUri_AcceptsOnlyItself() =>
        Assert.Equal(["api://pipeline"], EntraAudiences.For("api://pipeline"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void For_NothingConfigured_AcceptsNothing(string? configured) =>
        Assert.Empty(EntraAudiences.For(configured));
}
