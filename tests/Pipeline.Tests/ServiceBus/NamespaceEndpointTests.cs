using Pipeline.Azure.ServiceBus;

namespace Pipeline.Tests.ServiceBus;

public sealed class NamespaceEndpointTests
{
    [Theory]
    [InlineData("contoso.servicebus.windows.net", "https://contoso.servicebus.windows.net/")]
    [InlineData("https://contoso.servicebus.windows.net:443/", "https://contoso.servicebus.windows.net/")]
    [InlineData(" contoso.servicebus.windows.net ", "https://contoso.servicebus.windows.net/")]
    public void NamespaceEndpoint_HostOrHttpsUri_GivesTheNamespaceRoot(string configured, string expected) =>
        Assert.Equal(new Uri(expected), ServiceBusRestPublisher.NamespaceEndpoint(configured));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://contoso.servicebus.windows.net")]
    public void NamespaceEndpoint_MissingOrNotHttps_Throws(string? configured) =>
        Assert.Throws<InvalidOperationException>(() => ServiceBusRestPublisher.NamespaceEndpoint(configured));
}
