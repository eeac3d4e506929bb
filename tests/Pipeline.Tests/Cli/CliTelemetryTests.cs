using System.Diagnostics;
using OpenTelemetry.Trace;
using Pipeline.Cli.Telemetry;
using Pipeline.Core.Telemetry;

namespace Pipeline.Tests.Cli;

/// <summary>The CLI's span per command, exported to memory.</summary>
public sealed class CliTelemetryTests
{
    [Fact]
    public void Command_IsOneSpanNamedByTheCommandOnly_ParentOfThePipelinesOwnSpans()
    {
        var spans = new List<Activity>();

        using (CliTelemetry.Start("report", (traces, _) => traces.AddInMemoryExporter(spans)))
        {
            using var inner = PipelineTelemetry.Source.StartActivity("verify day");
        }

        var command = Assert.Single(spans, s => s.DisplayName == "cli report");
        Assert.Empty(command.TagObjects);
        Assert.Equal(command.SpanId, Assert.Single(spans, s => s.DisplayName == "verify day").ParentSpanId);
    }

    [Fact]
    public void NoExporterInTheEnvironment_RecordsNothing()
    {
        Assert.Null(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Null(Environment.GetEnvironmentVariable("APPLICATIONINSIGHTS_CONNECTION_STRING"));

        using (CliTelemetry.Start("audit"))
        {
            Assert.Null(Activity.Current);
        }
    }
}
