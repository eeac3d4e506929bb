using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Invocations;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Audit;

/// <summary>
/// VerifyAuditChain on its NCRONTAB timer (<c>AuditVerifySchedule</c>, daily by default): verifies the previous UTC
/// day of every configured tenant (and <c>_unknown</c>, where rejected messages are audited) with
/// <see cref="DailyChainVerification"/>. A break is counted (<c>pipeline.audit.chain.breaks</c>, which the Bicep
/// alert watches) and logged as a warning naming tenant, day and row key only, so the alert fires without anyone
/// running a report. A break is a finding, not a failed run: the invocation succeeds and is not retried.
/// </summary>
internal static class VerifyAuditChainFunction
{
    public const string Name = "VerifyAuditChain";

    public static FunctionRegistration Create() => new(Name, async (payload, services, cancellationToken) =>
    {
        var timer = TimerInvocation.Parse(payload);
        var options = services.GetRequiredService<PipelineOptions>();
        var logger = services.GetRequiredService<ILogger<DailyChainVerification>>();
        var yesterday = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime).AddDays(-1);
        var defaultRetention = new PrivacyOptions().AuditRetentionDays;
        var results = await services.GetRequiredService<DailyChainVerification>().RunAsync(
            [.. options.Tenants.Keys.Order(StringComparer.Ordinal), RejectionTally.UnknownTenant],
            yesterday,
            tenant => options.Tenants.TryGetValue(tenant, out var t) ? t.Privacy.AuditRetentionDays : defaultRetention,
            cancellationToken);

        var day = yesterday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var broken in results.Where(r => r.Break is not null))
        {
            Log.ChainBreakFound(logger, broken.Tenant, day, broken.Break!.RowKey);
        }

        var breaks = results.Count(r => r.Break is not null);
        Log.ChainVerified(logger, day, results.Count, results.Sum(r => r.Rows), breaks);
        return InvocationResult.Success(
            $"{Name}: {day} verified for {results.Count} tenants, {results.Sum(r => r.Rows)} rows, {breaks} breaks{(timer.IsPastDue ? " (past due)" : "")}.");
    }) { Schedule = services => services.GetRequiredService<AuditOptions>().VerifySchedule };
}
