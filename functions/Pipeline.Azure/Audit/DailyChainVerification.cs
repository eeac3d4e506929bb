using System.Globalization;
using Pipeline.Core.Audit;

namespace Pipeline.Azure.Audit;

/// <summary>
/// The scheduled form of <c>audit verify</c> (issue 11, "an audit chain verification failure" alert): checks each
/// tenant's partition of one UTC day with the same rule (<see cref="AuditChainVerifier.VerifyPartitionAsync"/>, which
/// also counts <c>pipeline.audit.chain.breaks</c> for the alert), then records the run as an
/// <c>audit.chain.verified</c> row in each checked tenant's own trail, so the verification is itself audited and chained.
/// </summary>
public sealed class DailyChainVerification(AuditChainVerifier verifier, AuditTableWriter writer, TimeProvider timeProvider)
{
    /// <summary>
    /// Verifies <paramref name="day"/> for every tenant. <paramref name="retentionDays"/> gives a tenant's audit
    /// retention: a day retention may already have trimmed is checked as purgeable, as <c>audit verify</c> does.
    /// Tenants with neither rows nor a break that day get no row.
    /// </summary>
    public async Task<IReadOnlyList<DayVerification>> RunAsync(
        IEnumerable<string> tenants, DateOnly day, Func<string, int> retentionDays, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        ArgumentNullException.ThrowIfNull(retentionDays);
        var now = timeProvider.GetUtcNow();
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var results = new List<DayVerification>();
        foreach (var tenant in tenants.Distinct(StringComparer.Ordinal))
        {
            var partition = AuditEntry.PartitionFor(tenant, start);
            var purgeable = day <= DateOnly.FromDateTime(now.AddDays(-retentionDays(tenant)).UtcDateTime);
            var (rows, chainBreak) = await verifier.VerifyPartitionAsync(partition, purgeable, cancellationToken);
            results.Add(new DayVerification(tenant, partition, rows, chainBreak));
        }

        await writer.WriteBatchAsync([.. results.Where(r => r.Rows > 0 || r.Break is not null).Select(r => Row(r, day, now))], cancellationToken);
        return results;
    }

    // Where the chain broke and why (fixed wording from the verifier), never what the row held.
    private static AuditEntry Row(DayVerification result, DateOnly day, DateTimeOffset now)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["rows"] = result.Rows.ToString(CultureInfo.InvariantCulture),
        };
        if (result.Break is { } chainBreak)
        {
            details["breakRowKey"] = chainBreak.RowKey;
            details["reason"] = chainBreak.Reason;
        }

        return AuditEntry.BySystem(
            result.Tenant, now, AuditActions.ChainVerified, result.Break is null ? AuditOutcome.Success : AuditOutcome.Failure, new AuditResource("audit-partition", result.Partition), details: details);
    }
}

/// <summary>One tenant's verified day: the partition, its chained rows, and the first break (null: intact).</summary>
public sealed record DayVerification(string Tenant, string Partition, long Rows, ChainBreak? Break);
