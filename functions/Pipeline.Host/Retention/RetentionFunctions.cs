using System.Globalization;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Retention;

internal static class RetentionFunctions
{
    public const string RetentionPurge = "RetentionPurge";

    /// <summary>
    /// RetentionPurge on its NCRONTAB timer. For now it purges audit rows past each tenant's
    /// <c>AuditRetentionDays</c> and audits the run; transcript expiry comes with issue 6.
    /// </summary>
    public static WebApplicationBuilder AddRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditRetentionPurger>();
        builder.Services.AddSingleton(new FunctionRegistration(RetentionPurge, async (payload, services, cancellationToken) =>
        {
            var timer = TimerInvocation.Parse(payload);
            var options = services.GetRequiredService<PipelineOptions>();
            var purger = services.GetRequiredService<AuditRetentionPurger>();
            var writer = services.GetRequiredService<AuditTableWriter>();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var total = 0;
            foreach (var (tenant, tenantOptions) in options.Tenants)
            {
                var id = tenant.ToLowerInvariant();
                var deleted = await purger.PurgeAsync(id, now.AddDays(-tenantOptions.Privacy.AuditRetentionDays), cancellationToken);
                total += deleted;
                await writer.WriteAsync(new AuditEntry(id, now, AuditActions.RetentionPurged, "success", "system", "audit", $"run-{now.UtcTicks}", null, null,
                    new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["auditRowsDeleted"] = deleted.ToString(CultureInfo.InvariantCulture),
                        ["pastDue"] = timer.IsPastDue ? "true" : "false",
                    }), cancellationToken);
            }

            return InvocationResult.Success($"{RetentionPurge}: {total} expired audit rows deleted.");
        }));
        return builder;
    }
}
