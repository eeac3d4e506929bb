using Pipeline.Azure.Webhooks;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// Writes the ingress's queued <see cref="PublishedMarks"/> as soon as one is queued, with no fixed delay:
/// under load the next round's marks gather while a round's transactions are in flight, so rounds grow with
/// the load by themselves. At shutdown (the web server has stopped first, so no new marks come) it writes
/// what is left, for at most <see cref="FinalDrainTimeout"/>. A SIGKILL loses the queue, which is safe: see
/// <see cref="PublishedMarks"/>.
/// </summary>
internal sealed class PublishedMarkWriter(
    PublishedMarks marks,
    TimeProvider timeProvider,
    ILogger<PublishedMarkWriter> logger) : BackgroundService
{
    private static readonly TimeSpan FinalDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A full queue under a sustained overload would otherwise log on every round.</summary>
    private static readonly TimeSpan DroppedLogInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset _nextDroppedLog = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await marks.WaitForMarksAsync(stoppingToken);
                // Not the stopping token: a round in flight at shutdown finishes (each call is bounded), and
                // StopAsync writes the rest.
                Report(await marks.WriteQueuedAsync(CancellationToken.None), force: false);
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

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(FinalDrainTimeout);
        var round = MarkRound.None;
        while (marks.Queued > 0 && !bounded.IsCancellationRequested)
        {
            round = round.Plus(await marks.WriteQueuedAsync(bounded.Token));
        }

        Report(round with { Failed = round.Failed + marks.Queued, Failure = round.Failure ?? "shutdown timeout" }, force: true);
    }

    private void Report(MarkRound round, bool force)
    {
        if (round.Failed > 0)
        {
            Log.PublishedMarksFailed(logger, round.Failed, round.Marked + round.Missing + round.Failed, round.Failure ?? "unknown");
        }

        var now = timeProvider.GetUtcNow();
        if ((force || now >= _nextDroppedLog) && marks.TakeDropped() is > 0 and var dropped)
        {
            Log.PublishedMarksDropped(logger, dropped);
            _nextDroppedLog = now + DroppedLogInterval;
        }
    }
}
