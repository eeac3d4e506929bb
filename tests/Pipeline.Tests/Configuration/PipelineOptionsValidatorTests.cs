using Microsoft.Extensions.Options;
using Pipeline.Host;
using Pipeline.Host.Configuration;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Configuration;

public sealed class PipelineOptionsValidatorTests
{
    private static OptionsValidationException StartFails(Dictionary<string, string?> settings)
    {
        var app = HandlerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
        // Every feature validates its own options at start; ValidateOptions runs them all and gathers the failures.
        return Assert.Throws<OptionsValidationException>(app.Services.ValidateOptions);
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
    [InlineData("Pipeline:Tenants:acme:Vendors:zoom:Secrets:0", "s", "Pipeline:Tenants:acme:Vendors:zoom: unknown vendor (mindtickle, twinmind, standard, github, stripe)")]
    [InlineData("Pipeline:Tenants:acme:Vendors:stripe:Secrets:0", "sk_test_an_api_key_by_mistake", "Pipeline:Tenants:acme:Vendors:stripe:Secrets:0 is not a Stripe endpoint signing secret")]
    [InlineData("Pipeline:Webhooks:ToleranceSeconds", "0", "Pipeline:Webhooks:ToleranceSeconds")]
    [InlineData("Pipeline:Retention:Schedule", "every night", "Pipeline:Retention:Schedule")]
    [InlineData("Pipeline:ServiceBus:TopicName", "Bad Topic", "Pipeline:ServiceBus:TopicName")]
    [InlineData("Pipeline:Tenants:acme:Privacy:AuditRetentionDays", "0", "Pipeline:Tenants:acme:Privacy:AuditRetentionDays")]
    [InlineData("Pipeline:Auth:LocalSigningKey", "too-short", "Pipeline:Auth:LocalSigningKey")]
    [InlineData("Pipeline:Audit:PseudonymKey", "", "Pipeline:Audit:PseudonymKey")]
    [InlineData("Pipeline:Tenants:acme:Privacy:PiiPatterns:0", "(unclosed", "Pipeline:Tenants:acme:Privacy:PiiPatterns:0 is not a valid")]
    [InlineData("Pipeline:Tenants:acme:Privacy:PiiPatterns:0", "(a)\\1", "Pipeline:Tenants:acme:Privacy:PiiPatterns:0 uses a construct")]
    [InlineData("Pipeline:Tenants:acme:Privacy:PiiPatterns:0", "(?<=x)secret", "Pipeline:Tenants:acme:Privacy:PiiPatterns:0 uses a construct")]
    [InlineData("Pipeline:Tenants:acme:Privacy:PiiPatterns:0", "a*", "Pipeline:Tenants:acme:Privacy:PiiPatterns:0 matches the empty string")]
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

    /// <summary>Each feature's options are checked when the handler starts, not when first used: start stops.</summary>
    [Theory]
    [InlineData("Pipeline:Webhooks:MaxBodyBytes", "10", "Pipeline:Webhooks:MaxBodyBytes")]
    [InlineData("Pipeline:Audit:VerifySchedule", "nightly", "Pipeline:Audit:VerifySchedule")]
    [InlineData("Pipeline:Retention:DeadLetterDays", "0", "Pipeline:Retention:DeadLetterDays")]
    [InlineData("Pipeline:Auth:LocalSigningKey", "too-short", "Pipeline:Auth:LocalSigningKey")]
    [InlineData("Pipeline:ServiceBus:DuplicateDetectionWindow", "8.00:00:00", "Pipeline:ServiceBus:DuplicateDetectionWindow")]
    [InlineData("Pipeline:Storage:ConnectionString", "", "Pipeline:Storage:ConnectionString")]
    [InlineData("Pipeline:Tenants:acme:Privacy:TranscriptRetentionDays", "0", "Pipeline:Tenants:acme:Privacy:TranscriptRetentionDays")]
    public async Task StartAsync_OneFeaturesInvalidSetting_StopsTheHandlerNamingTheKey(string key, string value, string expected)
    {
        await using var app = HandlerApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Auth:LocalSigningKey"] = Secrets.NewSecret(),
            ["Pipeline:Audit:PseudonymKey"] = Secrets.NewSecret(),
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = Secrets.NewSecret(),
            [key] = value,
        }));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(failure.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Start_WhsecWithoutPadding_IsAccepted()
    {
        var unpadded = Secrets.NewWhsec().TrimEnd('=');
        var failure = StartFails(new()
        {
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Tenants:acme:Vendors:standard:Secrets:0"] = unpadded,
            ["Pipeline:Webhooks:ToleranceSeconds"] = "0", // something else fails, so start-up reports
        });

        Assert.DoesNotContain(failure.Failures, f => f.Contains("standard:Secrets:0", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith("Pipeline:Webhooks:ToleranceSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_OverlongPiiPattern_FailsWithoutEchoingIt()
    {
        var pattern = "PATTERNVALUE" + new string('x', 300);
        var failure = StartFails(new()
        {
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = Secrets.NewSecret(),
            ["Pipeline:Tenants:acme:Privacy:PiiPatterns:0"] = "ACME-[0-9]{4}",
            ["Pipeline:Tenants:acme:Privacy:PiiPatterns:1"] = pattern,
        });

        Assert.Contains("Pipeline:Tenants:acme:Privacy:PiiPatterns:1 is longer than 256 characters.", failure.Failures);
        Assert.DoesNotContain(failure.Failures, f => f.Contains("PiiPatterns:0", StringComparison.Ordinal));
        Assert.DoesNotContain("PATTERNVALUE", failure.Message, StringComparison.Ordinal);
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
