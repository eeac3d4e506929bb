using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Telemetry;

/// <summary>
/// A test host's spans, metrics and log records, exported to memory by OpenTelemetry's in-memory
/// exporter: the registration under test is the handler's own, only the exporter is the test's.
/// Listeners are process-wide, so spans of other tests' hosts may appear too: tests select by trace id.
/// </summary>
internal sealed class TelemetryCapture
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly List<LogRecord> _logs = [];

    /// <summary>Telemetry on, with no exporter of the handler's: the test's exporters are the only ones.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Pipeline:Telemetry:Enabled"] = "true",
        ["Pipeline:Telemetry:Exporter"] = "None",
        // Every trace recorded: the tests look for particular spans (the handler's default samples one in ten).
        ["Pipeline:Telemetry:SamplingRatio"] = "1",
    };

    public void AddTo(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(_logs));
    }

    public static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> settings) =>
        Settings.Where(p => !settings.ContainsKey(p.Key)).Concat(settings).ToDictionary(p => p.Key, p => p.Value); // the test's own win

    public Activity[] Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    /// <summary>Every metric point's name, description, unit and dimensions, after a flush of the host's meters.</summary>
    public string MetricsText(TestHost host)
    {
        Flush(host);
        var text = new System.Text.StringBuilder();
        foreach (var metric in _metrics.ToArray())
        {
            text.Append(metric.Name).Append(' ').Append(metric.Unit).Append(' ').Append(metric.Description).Append('\n');
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    text.Append(tag.Key).Append('=').Append(tag.Value).Append(' ');
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    public string[] MetricNames(TestHost host)
    {
        Flush(host);
        return _metrics.ToArray().Select(m => m.Name).Distinct().ToArray();
    }

    private static void Flush(TestHost host) => host.Services.GetRequiredService<MeterProvider>().ForceFlush();

    /// <summary>Every exported log record: its message, body, attributes, category and exception.</summary>
    public string LogsText()
    {
        var records = _logs.ToArray();
        return string.Join('\n', records.Select(r =>
            $"{r.CategoryName} {r.FormattedMessage} {r.Body} {string.Join(' ', (r.Attributes ?? []).Select(a => $"{a.Key}={a.Value}"))} {r.Exception}"));
    }

    public int LogCount => _logs.Count;

    /// <summary>Every span's name, kind, status and every attribute and event.</summary>
    public string SpansText() => string.Join('\n', Spans().Select(s =>
        $"{s.Source.Name} {s.DisplayName} {s.OperationName} {s.Kind} {s.Status} {s.StatusDescription} {string.Join(' ', s.TagObjects.Select(t => $"{t.Key}={t.Value}"))} "
        + string.Join(' ', s.Events.Select(e => e.Name + string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}"))))
        + " " + string.Join(' ', s.Baggage.Select(b => $"{b.Key}={b.Value}"))));
}
