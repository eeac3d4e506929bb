using System.Globalization;
using Pipeline.Core.Audit;

namespace Pipeline.Core.Reports;

/// <summary>
/// What an auditor needs for one tenant and period (issue 14), gathered apart from how it is shown: the HTML
/// renderer and the JSON form read the same record. Ids, pseudonyms and counts only, never a personal value.
/// </summary>
/// <param name="Tenant">The tenant reported on.</param>
/// <param name="Period">The whole UTC days covered.</param>
/// <param name="GeneratedAt">When the report was made.</param>
/// <param name="GeneratedBy">The caller's object id, or <c>cli:{user}</c>.</param>
/// <param name="Chain">The audit chain verified per day of the period.</param>
/// <param name="Activity">What the audit rows of the period say happened.</param>
/// <param name="Posture">The configuration in force when the report was made.</param>
/// <param name="Keys">Key-encryption-key versions the tenant's stored transcripts are wrapped under.</param>
/// <param name="Secrets">The tenant's webhook secrets per vendor and what is known of their rotation.</param>
/// <param name="DeadLetters">The tenant's dead-lettered messages now.</param>
/// <param name="Access">Who holds a grant for the tenant, and whether they used it in the period.</param>
public sealed record ComplianceReport(
    string Tenant,
    ReportPeriod Period,
    DateTimeOffset GeneratedAt,
    string GeneratedBy,
    IReadOnlyList<ChainDay> Chain,
    ReportActivity Activity,
    PolicyPosture Posture,
    IReadOnlyList<KeyVersionUse> Keys,
    IReadOnlyList<SecretRotation> Secrets,
    DeadLetterSummary DeadLetters,
    IReadOnlyList<AccessGrant> Access)
{
    /// <summary>The action of the row that records a report was made.</summary>
    public const string GeneratedAction = "report.generated";

    /// <summary>True when every day's chain verified.</summary>
    public bool ChainIntact => Chain.All(day => day.Break is null);

    /// <summary>The first day whose chain is broken, if any.</summary>
    public ChainDay? FirstBreak => Chain.FirstOrDefault(day => day.Break is not null);

    /// <summary>The audit row recording that this report was made, in which form; reading the evidence is itself evidence.</summary>
    public AuditEntry ToAuditEntry(string format) => AuditEntry.ByCaller(
        GeneratedBy,
        Tenant,
        GeneratedAt,
        GeneratedAction,
        AuditOutcome.Success,
        new AuditResource("report", $"report-{GeneratedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}"),
        details: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["from"] = Period.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = Period.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["format"] = format,
            ["chain"] = ChainIntact ? "intact" : "broken",
        });
}

/// <summary>One day's chain: rows verified and the first break (null: intact).</summary>
public sealed record ChainDay(DateOnly Day, long Rows, ChainDayBreak? Break);

/// <summary>Where a day's chain first breaks and why.</summary>
public sealed record ChainDayBreak(string RowKey, long? Seq, string Reason);

/// <summary>A key-encryption-key version, how many of the tenant's stored transcripts it wraps, and when it was made (null: unknown).</summary>
public sealed record KeyVersionUse(string KeyId, long Transcripts, DateTimeOffset? Created);

/// <summary>
/// A vendor's webhook secrets for the tenant. Ages are known only where a Key Vault reference can be read
/// (the CLI with the app settings); the handler sees resolved values and reports them unknown.
/// </summary>
public sealed record SecretRotation(string Vendor, int Secrets, IReadOnlyList<int?> AgeDays, int RotationDays, string Status);

/// <summary>The tenant's dead letters now: how many, the oldest, per subscription.</summary>
public sealed record DeadLetterSummary(int Count, DateTimeOffset? Oldest, IReadOnlyDictionary<string, int> BySubscription);

/// <summary>A caller holding a grant for the tenant (directly or by <c>*</c>) and its use of the tenant's APIs in the period.</summary>
public sealed record AccessGrant(string ObjectId, bool AllTenants, long UsesInPeriod, DateTimeOffset? LastUse);

/// <summary>Secret rotation as far as the configuration tells it, without reading any secret store.</summary>
public static class SecretRotations
{
    /// <summary>
    /// Per vendor of <paramref name="tenant"/>: how many secrets are configured. The handler sees resolved values, not
    /// Key Vault references, so ages are unknown here; <c>pipeline report</c> reads them from Key Vault.
    /// </summary>
    public static IReadOnlyList<SecretRotation> FromConfiguration(Configuration.PipelineOptions options, int rotationDays, string tenant)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Tenants.TryGetValue(tenant, out var tenantOptions))
        {
            return [];
        }

        return [.. tenantOptions.Vendors.OrderBy(v => v.Key, StringComparer.Ordinal).Select(vendor => new SecretRotation(
            vendor.Key,
            vendor.Value.Secrets.Count,
            [.. vendor.Value.Secrets.Select(_ => (int?)null)],
            rotationDays,
            vendor.Value.Secrets.Count switch
            {
                0 => "no secret configured: every webhook is refused",
                1 => "one secret; its age is read from Key Vault by `pipeline report` and `pipeline secrets status`",
                var n => $"{n} secrets: rotation in progress",
            }))];
    }
}
