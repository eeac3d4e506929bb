using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Core.Telemetry;

/// <summary>
/// The pipeline's own spans and instruments, both named <c>Pipeline</c>: the host subscribes to this one
/// name, so anything added here is exported without touching the registration.
/// </summary>
public static class PipelineTelemetry
{
    /// <summary>The name of the <see cref="Source"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "Pipeline";

    /// <summary>Spans: publish (producer) and the consumers (process); the ingress span is ASP.NET Core's server span.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>Every pipeline metric (see <see cref="PipelineMetrics"/>).</summary>
    public static readonly Meter Meter = new(Name);
}
