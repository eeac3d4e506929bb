using System.Diagnostics;
using System.Globalization;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Telemetry;

namespace Pipeline.Azure.Retention;

/// <summary>
/// One retention run over every tenant (or one): removes dead letters older than
/// <c>Pipeline:Retention:DeadLetterDays</c>, crypto-shreds expired transcripts and deletes audit rows past each
/// tenant's policy as of a given time, within a time budget, and records one audit row per tenant with the counts.
/// Dead letters go first (they hold whole events, personal data unencrypted), then transcripts: both are
/// the personal data the policy exists for.
/// The timer function and the operator CLI both run it.
/// </summary>
public sealed class RetentionRunner(
    PipelineOptions options,
    RetentionOptions retention,
    AuditRetentionPurger auditPurger,
    TranscriptRetentionPurger transcriptPurger,
    AuditTableWriter auditWriter,
    TimeProvider timeProvider,
    DeadLetterOperations? deadLetters = null)
{
    /// <summary>Runs the policy; <paramref name="progress"/> hears about each tenant and kind as it finishes.</summary>
    public async Task<RetentionReport> RunAsync(RetentionRequest request, IProgress<RetentionResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var tenants = request.Tenant is { } only
            ? options.Tenants.Where(t => string.Equals(t.Key, only, StringComparison.OrdinalIgnoreCase)).Select(t => (t.Key, t.Value, Configured: true)).ToList()
            : [.. options.Tenants.Select(t => (t.Key, t.Value, Configured: true))];
        if (request.Tenant is not null && tenants.Count == 0)
        {
            throw new ArgumentException($"No tenant '{request.Tenant}' is configured.");
        }

        if (request.Tenant is null)
        {
            // Rows of the _unknown tenant (rejection counts) and of tenants removed from configuration
            // fall under the default policy: nothing escapes retention for want of a configuration entry.
            var configured = new HashSet<string>(options.Tenants.Keys, StringComparer.OrdinalIgnoreCase);
            await foreach (var found in auditPurger.TenantsAsync(cancellationToken))
            {
                if (configured.Add(found))
                {
                    tenants.Add((found, new TenantOptions(), Configured: false));
                }
            }
        }

        var clock = Stopwatch.StartNew();
        bool OutOfTime() => clock.Elapsed >= request.Budget;
        var results = new List<RetentionResult>();
        var (expiredDeadLetters, deadLettersFinished) = OutOfTime()
            ? (new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase), false)
            : await PurgeDeadLettersAsync(request, cancellationToken);
        foreach (var (name, tenant, isConfigured) in tenants.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var id = name.ToLowerInvariant();
            var tenantClock = Stopwatch.StartNew();
            var deadLetterCount = expiredDeadLetters.Remove(id, out var count) ? count : 0;
            var transcripts = OutOfTime()
                ? new PurgeResult(0, Finished: false)
                : await transcriptPurger.PurgeAsync(id, request.AsOf, request.DryRun, OutOfTime, cancellationToken);
            var cutoff = request.AsOf.AddDays(-tenant.Privacy.AuditRetentionDays);
            var audit = OutOfTime()
                ? new PurgeResult(0, Finished: false)
                : await auditPurger.PurgeAsync(id, cutoff, request.DryRun, OutOfTime, cancellationToken);
            var holds = OutOfTime()
                ? new PurgeResult(0, Finished: false)
                : await transcriptPurger.PurgeHoldsAsync(id, request.AsOf, request.DryRun, cancellationToken);
            List<RetentionResult> tenantResults =
            [
                new(id, RetentionKinds.Transcripts, transcripts.Rows, transcripts.Finished),
                new(id, RetentionKinds.AuditRows, audit.Rows, audit.Finished),
                new(id, RetentionKinds.ErasureHolds, holds.Rows, holds.Finished),
            ];
            if (deadLetters is not null)
            {
                tenantResults.Insert(0, new(id, RetentionKinds.DeadLetters, deadLetterCount, deadLettersFinished));
            }

            foreach (var result in tenantResults)
            {
                results.Add(result);
                progress?.Report(result);
            }

            // A tenant no longer configured gets a run row only when something of it went: a row a run leaves
            // in a gone tenant's partitions would be one more thing for the next run to purge.
            if (!request.DryRun && (isConfigured || tenantResults.Any(r => r.Rows > 0)))
            {
                await auditWriter.WriteAsync(RunRow(id, tenantResults, tenantClock.Elapsed), cancellationToken);
            }
        }

        // Dead letters of tenants no longer configured (or naming none: _unknown) expire all the same; with one
        // tenant asked for, only its dead letters were taken, and the loop has counted them.
        foreach (var (other, count) in expiredDeadLetters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            RetentionResult result = new(other, RetentionKinds.DeadLetters, count, deadLettersFinished);
            results.Add(result);
            progress?.Report(result);
            if (!request.DryRun)
            {
                await auditWriter.WriteAsync(RunRow(other, [result], TimeSpan.Zero), cancellationToken);
            }
        }

        if (!request.DryRun)
        {
            foreach (var kind in results.GroupBy(r => r.Kind, StringComparer.Ordinal))
            {
                PipelineMetrics.Purged(kind.Key, kind.Sum(r => (long)r.Rows));
            }
        }

        return new RetentionReport(results, clock.Elapsed, results.All(r => r.Finished));
    }

    /// <summary>
    /// Removes (or counts) the dead letters first enqueued more than <c>DeadLetterDays</c> before the run's time,
    /// of the one tenant asked for or of all; the purge is audited (ids, counts) as the system's. Counts by tenant.
    /// </summary>
    private async Task<(Dictionary<string, int> Counts, bool Finished)> PurgeDeadLettersAsync(RetentionRequest request, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (deadLetters is null)
        {
            return (counts, true);
        }

        var cutoff = request.AsOf.AddDays(-retention.DeadLetterDays);
        var expired = await deadLetters.FindAsync(
            null,
            d => d.EnqueuedAt < cutoff && (request.Tenant is null || string.Equals(d.Tenant, request.Tenant, StringComparison.OrdinalIgnoreCase)),
            cancellationToken);
        if (request.DryRun)
        {
            foreach (var group in expired.GroupBy(d => d.Tenant ?? Core.Webhooks.RejectionTally.UnknownTenant, StringComparer.OrdinalIgnoreCase))
            {
                counts[group.Key] = group.Count();
            }

            return (counts, true);
        }

        if (expired.Count == 0)
        {
            return (counts, true);
        }

        var run = await deadLetters.PurgeAsync(expired, cancellationToken: cancellationToken);
        await deadLetters.AuditAsync(run, "system", AuditActions.RetentionPurged, CancellationToken.None);
        foreach (var (tenant, count) in run.DoneByTenant)
        {
            counts[tenant] = count;
        }

        return (counts, run.Failed == 0);
    }

    private AuditEntry RunRow(string tenant, IReadOnlyList<RetentionResult> results, TimeSpan duration)
    {
        var now = timeProvider.GetUtcNow();
        var details = results.ToDictionary(r => $"{r.Kind}Deleted", r => r.Rows.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        details["durationMs"] = ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        details["finished"] = results.All(r => r.Finished) ? "true" : "false";
        return AuditEntry.BySystem(tenant, now, AuditActions.RetentionPurged, AuditOutcome.Success, new AuditResource("retention", $"run-{now.UtcTicks}"), details: details);
    }
}

/// <summary>What to run: as of when, whether only to count, for which tenant (all when null), within what time.</summary>
public sealed record RetentionRequest(DateTimeOffset AsOf, bool DryRun, string? Tenant, TimeSpan Budget);

/// <summary>Rows removed (or that would be) for one tenant and kind.</summary>
public sealed record RetentionResult(string Tenant, string Kind, int Rows, bool Finished);

/// <summary>A whole run.</summary>
public sealed record RetentionReport(IReadOnlyList<RetentionResult> Results, TimeSpan Duration, bool Finished);

/// <summary>The kinds of data retention deletes.</summary>
public static class RetentionKinds
{
    public const string AuditRows = "auditRows";

    public const string DeadLetters = "deadLetters";

    public const string Transcripts = "transcripts";

    /// <summary>Erasure holds past the audit retention period they were placed for.</summary>
    public const string ErasureHolds = "erasureHolds";
}
