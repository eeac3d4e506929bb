using System.Text.Json;
using NCrontab;
using Pipeline.Host.Invocations;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Local;

/// <summary>
/// Local mode's timer trigger: runs every registered timer function (RetentionPurge, VerifyAuditChain) on the
/// schedule its registration reads from the same setting its function.json names (six-field NCRONTAB, UTC),
/// with the payload the Functions host sends a custom handler.
/// </summary>
internal sealed class LocalTimer(
    FunctionInvoker invoker,
    IEnumerable<FunctionRegistration> registrations,
    IServiceProvider services,
    TimeProvider timeProvider,
    ILogger<LocalTimer> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        registrations.Where(r => r.Schedule is not null).Select(r => RunAsync(r.Name, r.Schedule!(services), stoppingToken)));

    private async Task RunAsync(string function, string expression, CancellationToken stoppingToken)
    {
        var schedule = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        DateTimeOffset? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = timeProvider.GetUtcNow();
            var next = new DateTimeOffset(schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            Log.TimerScheduled(logger, function, next);
            try
            {
                await Task.Delay(next - now, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var result = await invoker.InvokeAsync(function, BuildInvocation(last, next, schedule), stoppingToken);
            if (!result.Succeeded)
            {
                Log.TimerFailed(logger, function);
            }

            last = next;
        }
    }

    private static JsonElement BuildInvocation(DateTimeOffset? last, DateTimeOffset current, CrontabSchedule schedule)
    {
        var invocation = new
        {
            Data = new
            {
                timer = new
                {
                    Schedule = new { AdjustForDST = false },
                    ScheduleStatus = new
                    {
                        Last = (last ?? DateTimeOffset.MinValue).ToString("O"),
                        Next = new DateTimeOffset(schedule.GetNextOccurrence(current.UtcDateTime), TimeSpan.Zero).ToString("O"),
                        LastUpdated = current.ToString("O"),
                    },
                    IsPastDue = false,
                },
            },
            Metadata = new { },
        };
        return JsonSerializer.SerializeToElement(invocation);
    }
}
