using System.Security.Cryptography;
using Azure;
using Pipeline.Azure.Audit;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// Writes the <see cref="RejectionTally"/> to the audit table through <see cref="AuditTableWriter"/>:
/// every few seconds the minutes that have ended, and everything at shutdown. A failed write puts the
/// count back for the next round.
/// </summary>
internal sealed class RejectionAuditFlusher(
    RejectionTally tally,
    AuditTableWriter writer,
    TimeProvider timeProvider,
    ILogger<RejectionAuditFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A request stamped just before a minute ended may be counted a moment after it.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>Tells this process's rows from other instances' rows for the same minute.</summary>
    private readonly string _instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(timeProvider.GetUtcNow() - Grace, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Bounded, so an unreachable audit table cannot hold up shutdown for the SDK's whole retry budget.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(FinalFlushTimeout);
        await FlushAsync(DateTimeOffset.MaxValue, bounded.Token);
    }

    /// <summary>Writes the counts of minutes ended before <paramref name="before"/>.</summary>
    public async Task FlushAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        foreach (var count in tally.Drain(before))
        {
            try
            {
                await writer.WriteAsync(count.ToAuditEntry(_instance), cancellationToken);
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or AggregateException or OperationCanceledException)
            {
                tally.Restore(count);
                Log.RejectionAuditFailed(logger, count.Reason.Slug(), e);
            }
        }
    }
}
