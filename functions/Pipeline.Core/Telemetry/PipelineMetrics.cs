using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Core.Telemetry;

/// <summary>
/// The pipeline's metrics, named and with units per the OpenTelemetry semantic conventions (dotted
/// lowercase names under <c>pipeline.</c>, durations in seconds, counts in <c>{annotated}</c> units).
/// Dimensions are vendors, tenants, reasons and function names only (<see cref="TelemetryAttributes"/>).
/// </summary>
public static class PipelineMetrics
{
    private static readonly Counter<long> Accepted = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.webhook.accepted", "{webhook}", "Webhooks accepted and published, by vendor and tenant.");

    private static readonly Counter<long> Rejected = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.webhook.rejected", "{webhook}", "Webhooks refused, by vendor, tenant and reason.");

    private static readonly Counter<long> Duplicates = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.webhook.duplicates", "{webhook}", "Redeliveries of already accepted webhooks, answered 202 without publishing.");

    private static readonly Histogram<double> IngressDuration = PipelineTelemetry.Meter.CreateHistogram(
        "pipeline.webhook.duration", "s", "Time from the request reaching the webhook endpoint to its answer, by outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Histogram<double> EventDuration = PipelineTelemetry.Meter.CreateHistogram(
        "pipeline.event.duration", "s", "End-to-end latency: from the ingress accepting an event to a consumer finishing it (WriteAudit: audited; EncryptTranscript: stored).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly Counter<long> ConsumerFailures = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.consumer.failures", "{invocation}", "Consumer invocations that failed (the broker redelivers them), by function.");

    private static readonly Counter<long> DeadLetters = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.consumer.dead_letters", "{message}", "Messages moved to the poison queue after their last delivery (Local mode; Service Bus counts its own).");

    private static readonly Counter<long> KeyVaultCalls = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.keyvault.calls", "{call}", "Key Vault REST calls, by operation.");

    private static readonly Counter<long> KeyVaultThrottles = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.keyvault.throttles", "{call}", "Key Vault calls answered 429, by operation.");

    private static readonly Counter<long> ChainBreaks = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.audit.chain.breaks", "{partition}", "Audit partitions a verification found broken (edited, deleted or inserted rows).");

    private static readonly Counter<long> RetentionPurged = PipelineTelemetry.Meter.CreateCounter<long>(
        "pipeline.retention.purged", "{row}", "Rows and messages deleted by the retention purge, by kind.");

    /// <summary>A webhook accepted and published.</summary>
    public static void WebhookAccepted(string vendor, string tenant, long startedTimestamp)
    {
        var tags = new TagList { { TelemetryAttributes.Vendor, vendor }, { TelemetryAttributes.Tenant, tenant } };
        Accepted.Add(1, tags);
        RecordIngress(tags, "accepted", startedTimestamp);
    }

    /// <summary>A redelivery answered 202 without publishing.</summary>
    public static void WebhookDuplicate(string vendor, string tenant, long startedTimestamp)
    {
        var tags = new TagList { { TelemetryAttributes.Vendor, vendor }, { TelemetryAttributes.Tenant, tenant } };
        Duplicates.Add(1, tags);
        RecordIngress(tags, "duplicate", startedTimestamp);
    }

    /// <summary>A webhook refused; <paramref name="reason"/> is the rejection's slug.</summary>
    public static void WebhookRejected(string vendor, string tenant, string reason, long startedTimestamp)
    {
        var tags = new TagList { { TelemetryAttributes.Vendor, vendor }, { TelemetryAttributes.Tenant, tenant } };
        // The reason on the counter only: the latency histogram's points stay one per vendor, tenant and outcome.
        var withReason = tags;
        withReason.Add(TelemetryAttributes.RejectionReason, reason);
        Rejected.Add(1, withReason);
        RecordIngress(tags, "rejected", startedTimestamp);
    }

    /// <summary>A consumer finished an event <paramref name="latency"/> after the ingress accepted it.</summary>
    public static void EventProcessed(string function, string vendor, string tenant, TimeSpan latency) =>
        EventDuration.Record(Math.Max(0, latency.TotalSeconds), new TagList
        {
            { TelemetryAttributes.Function, function }, { TelemetryAttributes.Vendor, vendor }, { TelemetryAttributes.Tenant, tenant },
        });

    /// <summary>A consumer invocation failed; <paramref name="errorType"/> is an exception type name or a short code.</summary>
    public static void ConsumerFailed(string function, string errorType) =>
        ConsumerFailures.Add(1, new TagList { { TelemetryAttributes.Function, function }, { TelemetryAttributes.ErrorType, errorType } });

    /// <summary>A message moved to a poison (dead-letter) queue.</summary>
    public static void DeadLettered(string function) =>
        DeadLetters.Add(1, new TagList { { TelemetryAttributes.Function, function } });

    /// <summary>A Key Vault call and, when it was answered 429, a throttle.</summary>
    public static void KeyVaultCall(string operation, bool throttled)
    {
        var tags = new TagList { { TelemetryAttributes.KeyVaultOperation, operation } };
        KeyVaultCalls.Add(1, tags);
        if (throttled)
        {
            KeyVaultThrottles.Add(1, tags);
        }
    }

    /// <summary>A verified audit partition whose chain does not link.</summary>
    public static void ChainBreak() => ChainBreaks.Add(1);

    /// <summary>Rows (or dead letters) a retention run deleted, of one <paramref name="kind"/>.</summary>
    public static void Purged(string kind, long rows) =>
        RetentionPurged.Add(rows, new TagList { { TelemetryAttributes.RetentionKind, kind } });

    private static void RecordIngress(TagList tags, string outcome, long startedTimestamp)
    {
        tags.Add(TelemetryAttributes.Outcome, outcome);
        IngressDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }
}
