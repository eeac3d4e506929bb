using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Pipeline.Host.Telemetry;

/// <summary>
/// Turns each log record's attribute values into their text while the logging call is still running.
/// The redaction-enabled logger passes classified values as pooled just-in-time redactors that go back
/// to their pool when the call returns; a batching exporter (OTLP, Azure Monitor) reads them later and
/// would find them empty or reused (dotnet/extensions#5080). Frozen here, every exporter sees the
/// redacted text. It must run before any exporter, so it is registered first (<see cref="Register"/>).
/// </summary>
internal sealed class FrozenLogAttributes : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (data.Attributes is not { Count: > 0 } attributes || attributes.All(a => IsFrozen(a.Value)))
        {
            return;
        }

        var frozen = new List<KeyValuePair<string, object?>>(attributes.Count);
        foreach (var (key, value) in attributes)
        {
            frozen.Add(new(key, IsFrozen(value) ? value : Convert.ToString(value, CultureInfo.InvariantCulture)));
        }

        data.Attributes = frozen;
    }

    private static bool IsFrozen(object? value) => value is null or string or bool or int or long or double or DateTimeOffset;

    /// <summary>
    /// Registered first of the logger provider's configurations, ahead of any registered earlier (a test's
    /// exporter): its registration is moved to the front of the collection, which is the order the SDK applies.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        var before = services.Count;
        services.ConfigureOpenTelemetryLoggerProvider((_, logging) => logging.AddProcessor(new FrozenLogAttributes()));
        var added = services.Skip(before).ToList();
        foreach (var descriptor in added)
        {
            services.Remove(descriptor);
        }

        for (var i = 0; i < added.Count; i++)
        {
            services.Insert(i, added[i]);
        }
    }
}
