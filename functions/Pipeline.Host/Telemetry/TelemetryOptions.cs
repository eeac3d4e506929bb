namespace Pipeline.Host.Telemetry;

/// <summary>Where telemetry goes (<c>Pipeline:Telemetry:Exporter</c>).</summary>
internal enum TelemetryExporter
{
    /// <summary>Nowhere: the default in Local mode.</summary>
    None,

    /// <summary>The console, OpenTelemetry's multi-line format: for a developer's terminal only.</summary>
    Console,

    /// <summary>OTLP to <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (an Aspire dashboard, a collector, Jaeger).</summary>
    Otlp,

    /// <summary>Application Insights at <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>, on the app's identity.</summary>
    AzureMonitor,
}

/// <summary>
/// <c>Pipeline:Telemetry</c>. Read before the container exists, because it decides what is registered:
/// nothing at all when telemetry is off, so the ingress pays nothing for it.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Pipeline:Telemetry";

    /// <summary>
    /// Unset: Azure Monitor in Azure mode when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, else OTLP
    /// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, else none.
    /// </summary>
    public TelemetryExporter? Exporter { get; set; }

    /// <summary>
    /// Collect spans, metrics and logs even with no exporter (for an exporter a test or benchmark adds
    /// itself); unset means "when there is an exporter".
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// The share of traces recorded and exported, 0 to 1: a head sampler that decides once per trace from its
    /// trace id (<see cref="TelemetrySampling"/>). Unset: <see cref="TelemetrySampling.DefaultRatio"/>, or in
    /// Azure Monitor mode the exporter's own sampler with its defaults. 1 records every trace.
    /// </summary>
    public double? SamplingRatio { get; set; }
}
