using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Events;
using Pipeline.Host.Telemetry;

namespace Pipeline.Tests.Telemetry;

/// <summary>
/// ASP.NET Core's hosting logger is off whether telemetry is on or not: while it is enabled at any level it
/// opens a log scope for every request (and, with telemetry off, starts an activity nobody listens to).
/// </summary>
public sealed class HostingLoggerTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("Console")]
    [InlineData("Otlp")]
    public void AddTelemetry_AnyExporter_DisablesTheHostingLoggerAtEveryLevel(string? exporter)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Mode"] = "Local",
            ["Pipeline:Telemetry:Exporter"] = exporter,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = exporter == "Otlp" ? "http://127.0.0.1:9" : null,
        });
        builder.Services.AddSingleton<IEventPublisher>(new NoPublisher());

        builder.AddTelemetry();
        using var services = builder.Services.BuildServiceProvider();

        var hosting = services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.False(hosting.IsEnabled(LogLevel.Critical));
        Assert.True(services.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Host").IsEnabled(LogLevel.Warning));
    }

    private sealed class NoPublisher : IEventPublisher
    {
        public Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
