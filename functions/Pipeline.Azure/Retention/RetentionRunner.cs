using System.Diagnostics;
using System.Globalization;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;

namespace Pipeline.Azure.Retention;

/// <summary>
/// One retention run over every tenant (or one): crypto-shreds expired transcripts and deletes audit
/// rows past each tenant's policy
/// as of a given time, within a time budget, and records one audit row per tenant with the counts.
/// Transcripts go first: they hold the personal data the policy exists for.
/// The timer function and the operator CLI both run it.
/// </summary>
public sealed class RetentionRunner(
    PipelineOptions options,
    AuditRetentionPurger auditPurger,
    TranscriptRetentionPurger transcriptPurger,
    AuditTableWriter auditWriter,
    TimeProvider timeProvider)
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
        foreach (var (name, tenant, isConfigured) in tenants.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var id = name.ToLowerInvariant();
            var tenantClock = Stopwatch.StartNew();
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
            RetentionResult[] tenantResults =
            [
                new(id, RetentionKinds.Transcripts, transcripts.Rows, transcripts.Finished),
                new(id, RetentionKinds.AuditRows, audit.Rows, audit.Finished),
                new(id, RetentionKinds.ErasureHolds, holds.Rows, holds.Finished),
            ];
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

        return new RetentionReport(results, clock.Elapsed, results.All(r => r.Finished));
    }

    private AuditEntry RunRow(string tenant, IReadOnlyList<RetentionResult> results, TimeSpan duration)
    {
        var now = timeProvider.GetUtcNow();
        var details = results.ToDictionary(r => $"{r.Kind}Deleted", r => r.Rows.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        details["durationMs"] = ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        details["finished"] = results.All(r => r.Finished) ? "true" : "false";
        return new AuditEntry(tenant, now, AuditActions.RetentionPurged, "success", "system", "retention", $"run-{now.UtcTicks}", null, null, details);
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

    public const string Transcripts = "transcripts";

    /// <summary>Erasure holds past the audit retention period they were placed for.</summary>
    public const string ErasureHolds = "erasureHolds";
}
