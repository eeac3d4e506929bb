using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Local;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;
using Pipeline.Host;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Configuration;

public sealed class PublishingRegistrationTests
{
    [Fact]
    public async Task AddEventPublishing_AzureMode_ResolvesServiceBusRestPublisher()
    {
        await using var app = HandlerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Mode"] = "Azure",
            ["Pipeline:ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
            ["Pipeline:ServiceBus:TopicName"] = "pipeline-events",
            ["Pipeline:KeyVault:KeyId"] = "https://contoso.vault.azure.net/keys/transcripts",
            ["Pipeline:Storage:TableServiceUri"] = "https://contoso.table.core.windows.net",
            ["Pipeline:Auth:Authority"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
            ["Pipeline:Auth:Audience"] = "api://pipeline",
            ["Pipeline:Audit:PseudonymKey"] = TestHost.PseudonymKey,
        }));

        var publisher = app.Services.GetRequiredService<IEventPublisher>();

        Assert.IsType<ServiceBusRestPublisher>(publisher);
    }

    [Fact]
    public async Task AddEventPublishing_LocalMode_ResolvesQueueEventPublisher()
    {
        await using var app = HandlerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Mode"] = "Local",
            ["Pipeline:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pipeline:Audit:PseudonymKey"] = TestHost.PseudonymKey,
            ["Pipeline:Auth:LocalSigningKey"] = TestHost.LocalSigningKey,
        }));

        var publisher = app.Services.GetRequiredService<IEventPublisher>();

        Assert.IsType<QueueEventPublisher>(publisher);
    }
}
