using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Keys;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Reports;
using Pipeline.Core.Webhooks;

namespace Pipeline.Azure.Reports;

/// <summary>
/// Gathers a <see cref="ComplianceReport"/> from storage: each day partition of the audit table is read once,
/// verified and folded into the activity counts, then the transcript headers (key versions), the dead letters and
/// the configuration. Shared by <c>GET /api/reports/{tenant}</c> and <c>pipeline report</c>.
/// </summary>
/// <param name="verifier">Reads and verifies audit partitions.</param>
/// <param name="keyWrapping">Counts stored transcripts per key version.</param>
/// <param name="deadLetters">The dead letters; null where the caller has no access to them.</param>
/// <param name="options">The tenants and access grants in force.</param>
/// <param name="webhooks">The ingress limits in force.</param>
/// <param name="retention">The retention settings in force.</param>
/// <param name="timeProvider">Now, for the retention cutoff and the report's time.</param>
public sealed class ComplianceReportBuilder(
    AuditChainVerifier verifier,
    TranscriptKeyWrapping keyWrapping,
    DeadLetterOperations? deadLetters,
    PipelineOptions options,
    WebhookOptions webhooks,
    RetentionOptions retention,
    TimeProvider timeProvider)
{
    /// <summary>When a key version was created (Key Vault's <c>attributes.created</c>); null when unknown or unreadable.</summary>
    public Func<string, CancellationToken, Task<DateTimeOffset?>>? KeyCreated { get; init; }

    /// <summary>The report for <paramref name="tenant"/> over <paramref name="period"/>.</summary>
    /// <param name="tenant">Lower-case tenant id.</param>
    /// <param name="period">The days covered.</param>
    /// <param name="generatedBy">The caller's object id or <c>cli:{user}</c>.</param>
    /// <param name="secrets">Secret ages where the caller could read them; the configuration's counts otherwise.</param>
    /// <param name="progress">Days read so far, for a progress bar.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public async Task<ComplianceReport> BuildAsync(
        string tenant,
        ReportPeriod period,
        string generatedBy,
        IReadOnlyList<SecretRotation>? secrets = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(period);
        var now = timeProvider.GetUtcNow();
        var retentionDays = options.Tenants.TryGetValue(tenant, out var tenantOptions) ? tenantOptions.Privacy.AuditRetentionDays : new PrivacyOptions().AuditRetentionDays;
        var cutoff = DateOnly.FromDateTime(now.AddDays(-retentionDays).UtcDateTime);
        var activity = new ReportActivityBuilder();
        var chain = new List<ChainDay>(period.DayCount);
        foreach (var day in period.Days)
        {
            var partition = AuditEntry.PartitionFor(tenant, new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
            var entities = await verifier.ReadPartitionAsync(partition, cancellationToken).ConfigureAwait(false);
            var (rows, chainBreak) = verifier.VerifyPartition(partition, entities, purgeable: day <= cutoff);
            chain.Add(new ChainDay(day, rows, chainBreak is null ? null : new ChainDayBreak(chainBreak.RowKey, chainBreak.Seq, chainBreak.Reason)));
            foreach (var entity in entities)
            {
                if (entity.RowKey != AuditChain.HeadRowKey)
                {
                    activity.Add(AuditTableWriter.FromEntity(entity));
                }
            }

            progress?.Report(chain.Count);
        }

        var built = activity.Build();
        return new ComplianceReport(
            tenant,
            period,
            now,
            generatedBy,
            chain,
            built,
            PolicyPosture.From(options, webhooks, retention.DeadLetterDays, tenant),
            await KeysAsync(tenant, cancellationToken).ConfigureAwait(false),
            secrets ?? SecretRotations.FromConfiguration(options, webhooks.RotationDays, tenant),
            await DeadLettersAsync(tenant, cancellationToken).ConfigureAwait(false),
            Access(tenant, built.Callers));
    }

    private async Task<IReadOnlyList<KeyVersionUse>> KeysAsync(string tenant, CancellationToken cancellationToken)
    {
        var uses = new List<KeyVersionUse>();
        foreach (var (keyId, count) in await keyWrapping.CountByKeyAsync(tenant, cancellationToken).ConfigureAwait(false))
        {
            var created = KeyCreated is null ? null : await KeyCreated(keyId, cancellationToken).ConfigureAwait(false);
            uses.Add(new KeyVersionUse(keyId, count, created));
        }

        return uses;
    }

    private async Task<DeadLetterSummary> DeadLettersAsync(string tenant, CancellationToken cancellationToken)
    {
        if (deadLetters is null)
        {
            return new DeadLetterSummary(0, null, new Dictionary<string, int>());
        }

        var found = await deadLetters.FindAsync(null, d => string.Equals(d.Tenant, tenant, StringComparison.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false);
        return new DeadLetterSummary(
            found.Count,
            found.Count == 0 ? null : found.Min(d => d.EnqueuedAt),
            found.GroupBy(d => d.Subscription, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    private IReadOnlyList<AccessGrant> Access(string tenant, IReadOnlyList<CallerUse> callers)
    {
        var uses = callers.ToDictionary(c => c.Actor, StringComparer.OrdinalIgnoreCase);
        return [.. options.Access.Grants
            .Where(grant => grant.Value.Any(t => t == "*" || string.Equals(t, tenant, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(grant => grant.Key, StringComparer.Ordinal)
            .Select(grant => new AccessGrant(
                grant.Key,
                !grant.Value.Any(t => string.Equals(t, tenant, StringComparison.OrdinalIgnoreCase)),
                uses.TryGetValue(grant.Key, out var use) ? use.Uses : 0,
                use?.LastUse))];
    }
}
