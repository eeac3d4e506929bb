using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Pipeline.Azure.Local;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;
using Pipeline.Host;
using Pipeline.Host.Telemetry;
using Pipeline.Tests.Infrastructure;
using Pipeline.Azure.Retention;
using Pipeline.Host.Configuration;

namespace Pipeline.Tests.Configuration;

/// <summary>What the handler builds in each mode: publisher, credential, audiences, console format, binding settings.</summary>
public sealed class PublishingRegistrationTests
{
    private const string ClientId = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

    private static Dictionary<string, string?> AzureSettings() => new()
    {
        ["Pipeline:Mode"] = "Azure",
        ["Pipeline:ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
        ["ServiceBusTopicName"] = "pipeline-events",
        ["RetentionSchedule"] = "0 0 3 * * *",
        ["AuditVerifySchedule"] = "0 30 2 * * *",
        ["Pipeline:Identity:ClientId"] = ClientId,
        ["Pipeline:KeyVault:KeyId"] = "https://contoso.vault.azure.net/keys/transcripts",
        ["Pipeline:Storage:TableServiceUri"] = "https://contoso.table.core.windows.net",
        ["Pipeline:Auth:Authority"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
        ["Pipeline:Auth:Audience"] = ClientId,
        ["Pipeline:Audit:PseudonymKey"] = TestHost.PseudonymKey,
    };

    private static Microsoft.AspNetCore.Builder.WebApplication Build(Dictionary<string, string?> settings) =>
        HandlerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));

    [Fact]
    public async Task AddEventPublishing_AzureMode_OneSdkSenderForTheFlatTopicSetting()
    {
        await using var app = Build(AzureSettings());

        var publisher = app.Services.GetRequiredService<IEventPublisher>();
        var sender = app.Services.GetRequiredService<ServiceBusSender>();

        // Wrapped for its trace context (Telemetry/TracedEventPublisher), named after the flat topic setting.
        Assert.IsType<ServiceBusEventPublisher>(Assert.IsType<TracedEventPublisher>(publisher).Inner);
        Assert.Same(publisher, app.Services.GetRequiredService<IEventPublisher>());
        Assert.Same(sender, app.Services.GetRequiredService<ServiceBusSender>());
        Assert.Equal("pipeline-events", sender.EntityPath);
        Assert.Equal("contoso.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.Equal("0 0 3 * * *", app.Services.GetRequiredService<RetentionOptions>().Schedule);
    }

    [Fact]
    public async Task AddStorage_AzureMode_UsesTheUserAssignedManagedIdentity()
    {
        await using var app = Build(AzureSettings());

        Assert.IsType<ManagedIdentityCredential>(app.Services.GetRequiredService<TokenCredential>());
    }

    [Theory]
    [InlineData(ClientId)]
    [InlineData("api://" + ClientId)]
    public async Task AddCallerAuth_AzureModeEitherForm_AcceptsClientIdAndApplicationIdUri(string configured)
    {
        var settings = AzureSettings();
        settings["Pipeline:Auth:Audience"] = configured;
        await using var app = Build(settings);

        var jwt = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);

        Assert.Equal([ClientId, "api://" + ClientId], jwt.TokenValidationParameters.ValidAudiences.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task HandlerApp_AzureMode_WritesOneLineJsonConsoleLogs()
    {
        await using var app = Build(AzureSettings());

        var console = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var json = app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().Get(ConsoleFormatterNames.Json);

        Assert.Equal(ConsoleFormatterNames.Json, console.FormatterName);
        Assert.False(json.JsonWriterOptions.Indented);
    }

    [Theory]
    [InlineData("ServiceBusTopicName")]
    [InlineData("RetentionSchedule")]
    [InlineData("AuditVerifySchedule")]
    [InlineData("Pipeline:Identity:ClientId")]
    public async Task Validation_AzureModeWithoutABindingSettingOrIdentity_FailsNamingTheKey(string missing)
    {
        var settings = AzureSettings();
        settings.Remove(missing);
        await using var app = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(app.Services.ValidateOptions);

        Assert.Contains(missing, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_FlatAndNestedTopicDiffer_FailsNamingBoth()
    {
        var settings = AzureSettings();
        settings["Pipeline:ServiceBus:TopicName"] = "other-events";
        await using var app = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(app.Services.ValidateOptions);

        Assert.Contains("ServiceBusTopicName and Pipeline:ServiceBus:TopicName", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEventPublishing_LocalMode_ResolvesQueueEventPublisherOnTheFlatTopic()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Pipeline:Mode"] = "Local",
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Audit:PseudonymKey"] = TestHost.PseudonymKey,
            ["Pipeline:Auth:LocalSigningKey"] = TestHost.LocalSigningKey,
            ["ServiceBusTopicName"] = "local-events",
        });

        var publisher = app.Services.GetRequiredService<IEventPublisher>();

        Assert.IsType<QueueEventPublisher>(Assert.IsType<TracedEventPublisher>(publisher).Inner);
        Assert.Equal("local-events-audit", app.Services.GetRequiredService<LocalSubscriptions>().AuditQueue);
    }
}
