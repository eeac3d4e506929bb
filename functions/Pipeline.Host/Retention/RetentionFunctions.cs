using Pipeline.Azure.Retention;
using Pipeline.Azure.Webhooks;
using Pipeline.Host.Configuration;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Retention;

internal static class RetentionFunctions
{
    public const string RetentionPurge = "RetentionPurge";

    /// <summary>
    /// RetentionPurge on its NCRONTAB timer: runs the retention policy as of now within
    /// <c>Pipeline:Retention:BudgetSeconds</c>; a run that runs out of time says so and the next
    /// one finishes. Transcript expiry joins when transcripts are stored (issue 6).
    /// </summary>
    public static WebApplicationBuilder AddRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RetentionOptions, RetentionOptionsValidator>(
            RetentionOptions.SectionName,
            (options, configuration) => options.Schedule = BindingSettings.Override(configuration, BindingSettings.RetentionSchedule, options.Schedule));
        builder.Services.AddSingleton<AuditRetentionPurger>();
        builder.Services.AddSingleton<TranscriptRetentionPurger>();
        builder.Services.AddSingleton<RetentionRunner>();
        builder.Services.AddSingleton(new FunctionRegistration(RetentionPurge, async (payload, services, cancellationToken) =>
        {
            var timer = TimerInvocation.Parse(payload);
            var options = services.GetRequiredService<RetentionOptions>();
            var request = new RetentionRequest(
                services.GetRequiredService<TimeProvider>().GetUtcNow(), DryRun: false, Tenant: null, TimeSpan.FromSeconds(options.BudgetSeconds));
            var report = await services.GetRequiredService<RetentionRunner>().RunAsync(request, cancellationToken: cancellationToken);
            var rows = report.Results.Sum(r => r.Rows);

            // The ingress's deduplication memory is short-lived by design; drop what has expired too.
            var seen = await services.GetRequiredService<SeenEventStore>().PurgeExpiredAsync(request.AsOf, cancellationToken);
            return InvocationResult.Success(
                $"{RetentionPurge}: {rows} expired rows and {seen} expired deduplication entries deleted in {report.Duration.TotalSeconds:F1} s; {(report.Finished ? "finished" : "budget reached, the next run continues")}{(timer.IsPastDue ? " (past due)" : "")}.");
        }) { Schedule = services => services.GetRequiredService<RetentionOptions>().Schedule });
        return builder;
    }
}
