using OpenTelemetry.Trace;

namespace Pipeline.Host.Telemetry;

/// <summary>
/// Head sampling: whether a trace is recorded is decided once, at its root, from its trace id, and every
/// later span follows its parent (the consumers follow the <c>traceparent</c> flag on the message), so a
/// trace is kept whole or not at all. An unsampled request still has its trace id: the 202 names it, the
/// message carries it and the audit rows keep it; only its spans are not exported. Metrics count every
/// request whatever was sampled.
/// </summary>
internal static class TelemetrySampling
{
    /// <summary>
    /// One trace in ten: at webhook rates, recording and exporting every span costs the ingress more than
    /// a tenth of its throughput, while one in ten still shows each kind of delivery many times a minute.
    /// </summary>
    public const double DefaultRatio = 0.1;

    /// <summary>The sampler for <paramref name="ratio"/> (0 to 1; 1 records every trace).</summary>
    public static Sampler For(double ratio)
    {
        Validate(ratio);
        return ratio >= 1 ? new ParentBasedSampler(new AlwaysOnSampler()) : new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio));
    }

    /// <summary>Refuses a ratio outside 0 to 1 at start-up, naming the setting.</summary>
    public static void Validate(double ratio)
    {
        if (double.IsNaN(ratio) || ratio is < 0 or > 1)
        {
            throw new InvalidOperationException($"{TelemetryOptions.SectionName}:SamplingRatio must be between 0 and 1.");
        }
    }
}
