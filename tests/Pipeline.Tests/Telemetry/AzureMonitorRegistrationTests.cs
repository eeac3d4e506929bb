using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Pipeline.Core.Events;
using Pipeline.Host.Telemetry;

namespace Pipeline.Tests.Telemetry;

/// <summary>The Azure Monitor path as Azure mode registers it: no Azure is reached, the registration is what is checked.</summary>
public sealed class AzureMonitorRegistrationTests
{
    [Fact]
    public void AzureMode_WithConnectionString_ExportsOnTheAppCredentialWithoutLiveMetricsAndKeepsTheConsoleToWarnings()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Mode"] = "Azure",
            [TelemetryRegistration.ConnectionStringKey] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
        });
        var credential = new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
        builder.Services.AddSingleton<TokenCredential>(credential);
        builder.Services.AddSingleton<IEventPublisher>(new NoPublisher());

        builder.AddTelemetry();
        using var services = builder.Services.BuildServiceProvider();

        var exporter = services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;
        Assert.Same(credential, exporter.Credential);
        Assert.False(exporter.EnableLiveMetrics);
        var filters = services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;
        Assert.Contains(filters, rule => rule.ProviderName == typeof(ConsoleLoggerProvider).FullName && rule.CategoryName is null && rule.LogLevel == LogLevel.Warning);
    }

    private sealed class NoPublisher : IEventPublisher
    {
        public Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
