using System.Diagnostics;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pipeline.Core.Telemetry;
using Pipeline.Host.Telemetry;

namespace Pipeline.Cli.Telemetry;

/// <summary>
/// The CLI's telemetry (issue 11): one span per command, named by the command only, with the pipeline's own spans
/// and metrics under it (a compliance report's chain breaks, Key Vault calls, retention counts). Off unless the
/// operator's environment names an exporter, as the handler's Local mode: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (OTLP) or
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> (Azure Monitor, on the signed-in developer's credential). Arguments
/// are never recorded: they can hold a subject's e-mail address or a tenant's name.
/// </summary>
internal sealed class CliTelemetry : IDisposable
{
    private readonly TracerProvider? _traces;
    private readonly MeterProvider? _metrics;
    private readonly Activity? _command;

    private CliTelemetry(TracerProvider? traces, MeterProvider? metrics, Activity? command) =>
        (_traces, _metrics, _command) = (traces, metrics, command);

    /// <summary>Starts the command's span; <paramref name="configure"/> adds the exporters (null: from the environment, or none).</summary>
    public static CliTelemetry Start(string command, Action<TracerProviderBuilder, MeterProviderBuilder>? configure = null)
    {
        configure ??= FromEnvironment();
        if (configure is null)
        {
            return new CliTelemetry(null, null, null);
        }

        var resource = ResourceBuilder.CreateDefault().AddService("pipeline-cli");
        var traces = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(PipelineTelemetry.Name);
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(PipelineTelemetry.Name);
        configure(traces, metrics);
        var tracerProvider = traces.Build();
        var meterProvider = metrics.Build();
        return new CliTelemetry(tracerProvider, meterProvider, PipelineTelemetry.Source.StartActivity($"cli {command}", ActivityKind.Internal));
    }

    /// <summary>Ends the command's span and flushes what was recorded before the process exits.</summary>
    public void Dispose()
    {
        _command?.Dispose();
        _traces?.ForceFlush(5_000);
        _metrics?.ForceFlush(5_000);
        _traces?.Dispose();
        _metrics?.Dispose();
    }

    /// <summary>The handler's exporter rule over the operator's environment; Azure Monitor on the signed-in developer's credential.</summary>
    private static Action<TracerProviderBuilder, MeterProviderBuilder>? FromEnvironment()
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        switch (TelemetryRegistration.DefaultExporter(environment, azureMonitorAllowed: true))
        {
            case TelemetryExporter.AzureMonitor:
                var credential = new DefaultAzureCredential();
                return (traces, metrics) =>
                {
                    traces.AddAzureMonitorTraceExporter(options => options.Credential = credential);
                    metrics.AddAzureMonitorMetricExporter(options => options.Credential = credential);
                };
            case TelemetryExporter.Otlp:
                return (traces, metrics) =>
                {
                    traces.AddOtlpExporter();
                    metrics.AddOtlpExporter();
                };
            default:
                return null;
        }
    }
}
