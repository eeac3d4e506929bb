using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Webhooks;
using Pipeline.Azure.Resilience;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// Writes the <see cref="RejectionTally"/> (rejections and duplicates) to the audit table through <see cref="AuditTableWriter"/>:
/// every second whatever was counted since the last flush (the current minute included), and
/// everything at shutdown. The Functions host stops a custom handler with SIGKILL on scale-in, which
/// runs no shutdown code, so at most about <see cref="FlushInterval"/> of counts (plus a write in
/// flight) can be lost. Each flush writes its own row per tenant, vendor, reason and minute (the row
/// key carries the instance and the flush number), so a minute under a sustained flood has up to one
/// row per second per reason; the minute's count is their sum. A failed write is retried by the next
/// flush as the very same row (same key, same count): a write that timed out after storage committed it
/// is then found already there, so no count is written twice (merging it back into the tally under a new
/// flush number did exactly that).
/// </summary>
internal sealed class RejectionAuditFlusher(
    RejectionTally tally,
    AuditTableWriter writer,
    TimeProvider timeProvider,
    ILogger<RejectionAuditFlusher> logger) : BackgroundService
{
    /// <summary>The most counts a SIGKILL can take with it.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Tells this process's rows from other instances' rows for the same minute.</summary>
    private readonly string _instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Numbers this process's flushes, so each flush's rows have keys of their own.</summary>
    private long _flushes;

    /// <summary>Rows whose write failed, retried first by the next flush. Flushes run one at a time.</summary>
    private readonly Lock _unwrittenLock = new();
    private List<(RejectionCount Count, AuditEntry Row)> _unwritten = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(DateTimeOffset.MaxValue, stoppingToken);
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

    /// <summary>Writes the counts of minutes that started before <paramref name="before"/>.</summary>
    public async Task FlushAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        List<(RejectionCount Count, AuditEntry Row)> retries;
        lock (_unwrittenLock)
        {
            (retries, _unwritten) = (_unwritten, []);
        }

        var counts = tally.DrainStarted(before);
        if (counts.Count > 0)
        {
            var flush = string.Create(CultureInfo.InvariantCulture, $"{_instance}.{Interlocked.Increment(ref _flushes)}");
            retries.AddRange(counts.Select(count => (count, count.ToAuditEntry(flush))));
        }

        foreach (var (count, row) in retries)
        {
            try
            {
                await writer.WriteAsync(row, cancellationToken);
            }
            // Any cancellation too, the flusher's own at shutdown included: the count is kept for the final flush.
            catch (Exception e) when (TransientFailure.Is(e, CancellationToken.None))
            {
                lock (_unwrittenLock)
                {
                    _unwritten.Add((count, row));
                }

                Log.RejectionAuditFailed(logger, count.ReasonSlug, e);
            }
        }
    }
}
