using Microsoft.Extensions.Options;
using Pipeline.Host;
using Pipeline.Host.Configuration;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

public sealed class WebhookOptionsValidationTests
{
    [Theory]
    [InlineData("Pipeline:Webhooks:DeduplicationHours", "0")]
    [InlineData("Pipeline:Webhooks:DeduplicationHours", "10000")]
    [InlineData("Pipeline:Webhooks:RateLimit:PermitsPerSecond", "0")]
    [InlineData("Pipeline:Webhooks:RateLimit:Burst", "1")]
    [InlineData("Pipeline:Webhooks:ToleranceSeconds", "7200")]
    [InlineData("Pipeline:Webhooks:MaxBodyBytes", "10")]
    [InlineData("Pipeline:Webhooks:RotationDays", "0")]
    [InlineData("Pipeline:Webhooks:MinBodyBytesPerSecond", "0")]
    [InlineData("Pipeline:Webhooks:TrustedProxies:0", "not-a-network")]
    public void Start_InvalidWebhookSetting_FailsNamingTheKey(string key, string value)
    {
        var app = HandlerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Auth:LocalSigningKey"] = Secrets.NewSecret(),
            ["Pipeline:Audit:PseudonymKey"] = Secrets.NewSecret(),
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = Secrets.NewSecret(),
            ["Pipeline:Webhooks:RateLimit:PermitsPerSecond"] = "10",
            [key] = value,
        }));

        var failure = Assert.Throws<OptionsValidationException>(app.Services.ValidateOptions);

        Assert.Contains(failure.Failures, f => f.StartsWith(key, StringComparison.Ordinal));
    }
}
