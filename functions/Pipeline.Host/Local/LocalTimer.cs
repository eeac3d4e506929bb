using System.Text.Json;
using NCrontab;
using Pipeline.Core.Configuration;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Local;

/// <summary>
/// Local mode's timer trigger: runs RetentionPurge on the schedule the function.json reads (<c>RetentionSchedule</c>, six-field
/// NCRONTAB, UTC) with the payload the Functions host sends a custom handler.
/// </summary>
internal sealed class LocalTimer(FunctionInvoker invoker, PipelineOptions options, TimeProvider timeProvider, ILogger<LocalTimer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = CrontabSchedule.Parse(options.Retention.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        DateTimeOffset? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = timeProvider.GetUtcNow();
            var next = new DateTimeOffset(schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            LocalLog.TimerScheduled(logger, Retention.RetentionFunctions.RetentionPurge, next);
            try
            {
                await Task.Delay(next - now, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var result = await invoker.InvokeAsync(Retention.RetentionFunctions.RetentionPurge, BuildInvocation(last, next, schedule), stoppingToken);
            if (!result.Succeeded)
            {
                LocalLog.TimerFailed(logger, Retention.RetentionFunctions.RetentionPurge);
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
