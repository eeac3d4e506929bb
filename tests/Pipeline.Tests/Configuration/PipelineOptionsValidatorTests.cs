using Microsoft.Extensions.Options;
using Pipeline.Host;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Configuration;

public sealed class PipelineOptionsValidatorTests
{
    private static OptionsValidationException StartFails(Dictionary<string, string?> settings)
    {
        var app = HandlerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
        return Assert.Throws<OptionsValidationException>(() => app.Services.GetService(typeof(Pipeline.Core.Configuration.PipelineOptions)));
    }

    [Fact]
    public void Start_EmptySecret_FailsNamingTheKeyNotTheValue()
    {
        var failure = StartFails(new()
        {
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = " ",
            ["Pipeline:Tenants:acme:Vendors:standard:Secrets:0"] = "not-base64-SECRETVALUE!",
        });

        Assert.Contains(failure.Failures, f => f.Contains("Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Pipeline:Tenants:acme:Vendors:standard:Secrets:0 is not a whsec_", StringComparison.Ordinal));
        Assert.DoesNotContain("SECRETVALUE", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pipeline:Tenants:Bad_Tenant:Vendors:mindtickle:Secrets:0", "s", "Pipeline:Tenants:Bad_Tenant")]
    [InlineData("Pipeline:Tenants:acme:Vendors:zoom:Secrets:0", "s", "Pipeline:Tenants:acme:Vendors:zoom: unknown vendor")]
    [InlineData("Pipeline:Webhooks:ToleranceSeconds", "0", "Pipeline:Webhooks:ToleranceSeconds")]
    [InlineData("Pipeline:Retention:Schedule", "every night", "Pipeline:Retention:Schedule")]
    [InlineData("Pipeline:ServiceBus:TopicName", "Bad Topic", "Pipeline:ServiceBus:TopicName")]
    [InlineData("Pipeline:Tenants:acme:Privacy:AuditRetentionDays", "0", "Pipeline:Tenants:acme:Privacy:AuditRetentionDays")]
    [InlineData("Pipeline:Auth:LocalSigningKey", "too-short", "Pipeline:Auth:LocalSigningKey")]
    [InlineData("Pipeline:Audit:PseudonymKey", "", "Pipeline:Audit:PseudonymKey")]
    public void Start_InvalidSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        var failure = StartFails(new()
        {
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Auth:LocalSigningKey"] = Secrets.NewSecret(),
            ["Pipeline:Audit:PseudonymKey"] = Secrets.NewSecret(),
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = Secrets.NewSecret(),
            [key] = value,
        });

        Assert.Contains(failure.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Start_AzureModeWithoutItsSettings_NamesEveryMissingKey()
    {
        var failure = StartFails(new() { ["Pipeline:Mode"] = "Azure" });

        foreach (var key in new[] { "Pipeline:ServiceBus:FullyQualifiedNamespace", "Pipeline:KeyVault:KeyId", "Pipeline:Auth:Authority", "Pipeline:Auth:Audience", "Pipeline:Storage:TableServiceUri" })
        {
            Assert.Contains(failure.Failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }
}
