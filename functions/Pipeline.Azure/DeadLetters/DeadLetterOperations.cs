using System.Globalization;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;
using Pipeline.Azure.Resilience;

namespace Pipeline.Azure.DeadLetters;

/// <summary>
/// Replay and purge of dead letters, the same in both modes, for the CLI, the retention timer and subject
/// erasure. A replay re-publishes the message as it was (its <c>MessageId</c>, <c>CorrelationId</c>,
/// <c>ContentType</c>, body and application properties) through the mode's <see cref="IEventPublisher"/>, and
/// removes the dead letter only once the send succeeded; the consumers are idempotent, so replaying
/// something already stored changes nothing. Every run that changed something can be audited by
/// <see cref="AuditAsync"/>: who, counts and message ids per tenant, never content.
/// </summary>
public sealed class DeadLetterOperations(IDeadLetterStore store, IEventPublisher publisher, AuditTableWriter auditWriter, TimeProvider timeProvider)
{
    /// <summary>Ids listed per audit row: well inside a table property's 64 KiB.</summary>
    public const int IdsPerAuditRow = 400;

    /// <summary>The store the operations act on.</summary>
    public IDeadLetterStore Store => store;

    /// <summary>The dead letters of the subscription(s) that <paramref name="where"/> picks, without locking any.</summary>
    public async Task<IReadOnlyList<DeadLetter>> FindAsync(string? subscription, Func<DeadLetter, bool> where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(where);
        var found = new List<DeadLetter>();
        await foreach (var deadLetter in store.PeekAsync(subscription, cancellationToken).ConfigureAwait(false))
        {
            if (where(deadLetter))
            {
                found.Add(deadLetter);
            }
        }

        return found;
    }

    /// <summary>
    /// Re-publishes each target (one send per message id, though both subscriptions may hold it) and removes it
    /// after the send succeeded. Not replayed, and left where it is: a body that is no pipeline event, a dead letter
    /// the topic's duplicate detection would still drop, a send that failed.
    /// </summary>
    public async Task<DeadLetterRun> ReplayAsync(IReadOnlyCollection<DeadLetter> targets, IProgress<DeadLetterOutcome>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var now = timeProvider.GetUtcNow();
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var outcomes = new List<DeadLetterOutcome>();
        await store.ProcessAsync(targets, async (lease, token) =>
        {
            var deadLetter = lease.DeadLetter;
            var outcome = deadLetter switch
            {
                { Event: null } => new DeadLetterOutcome(deadLetter, DeadLetterResult.Skipped, "the body is not a pipeline event: nothing could consume it; purge it"),
                _ when store.DuplicateDetectionWindow > TimeSpan.Zero && deadLetter.EnqueuedAt + store.DuplicateDetectionWindow > now => new DeadLetterOutcome(
                    deadLetter,
                    DeadLetterResult.Skipped,
                    string.Create(CultureInfo.InvariantCulture, $"the topic's duplicate detection would drop a copy with this MessageId until {deadLetter.EnqueuedAt + store.DuplicateDetectionWindow:yyyy-MM-dd HH:mm} UTC; replay it after that")),
                _ => await SendThenRemoveAsync(lease, sent, token).ConfigureAwait(false),
            };
            outcomes.Add(outcome);
            progress?.Report(outcome);
        }, cancellationToken).ConfigureAwait(false);
        return Complete(DeadLetterAction.Replay, targets, outcomes);
    }

    /// <summary>Removes each target that is still there.</summary>
    public async Task<DeadLetterRun> PurgeAsync(IReadOnlyCollection<DeadLetter> targets, IProgress<DeadLetterOutcome>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var outcomes = new List<DeadLetterOutcome>();
        await store.ProcessAsync(targets, async (lease, token) =>
        {
            await lease.RemoveAsync(token).ConfigureAwait(false);
            var outcome = new DeadLetterOutcome(lease.DeadLetter, DeadLetterResult.Purged, null);
            outcomes.Add(outcome);
            progress?.Report(outcome);
        }, cancellationToken).ConfigureAwait(false);
        return Complete(DeadLetterAction.Purge, targets, outcomes);
    }

    /// <summary>
    /// The audit rows of a run, one per tenant the dead letters belong to (<c>_unknown</c> when the message names
    /// none) and per <see cref="IdsPerAuditRow"/> ids: the actor, the counts, and <c>subscription/id</c> of each
    /// dead letter replayed, purged, skipped or failed. Nothing when the run changed nothing and met nothing.
    /// </summary>
    public IReadOnlyList<AuditEntry> AuditRows(DeadLetterRun run, string actor, string? cause = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = timeProvider.GetUtcNow();
        var runId = $"{run.Action.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}";
        var action = run.Action == DeadLetterAction.Replay ? AuditActions.DeadLetterReplayed : AuditActions.DeadLetterPurged;
        var rows = new List<AuditEntry>();
        foreach (var tenant in run.Outcomes.GroupBy(o => o.DeadLetter.Tenant ?? RejectionTally.UnknownTenant, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var all = tenant.ToList();
            var parts = all.Chunk(IdsPerAuditRow).ToList();
            for (var part = 0; part < parts.Count; part++)
            {
                var details = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["run"] = runId,
                    ["done"] = Count(all.Count(o => o.Result is DeadLetterResult.Replayed or DeadLetterResult.Purged)),
                    ["skipped"] = Count(all.Count(o => o.Result == DeadLetterResult.Skipped)),
                    ["failed"] = Count(all.Count(o => o.Result == DeadLetterResult.Failed)),
                    ["ids"] = Ids(parts[part], DeadLetterResult.Replayed, DeadLetterResult.Purged),
                    ["skippedIds"] = Ids(parts[part], DeadLetterResult.Skipped),
                    ["failedIds"] = Ids(parts[part], DeadLetterResult.Failed),
                };
                if (cause is not null)
                {
                    details["cause"] = cause;
                }

                if (parts.Count > 1)
                {
                    details["part"] = string.Create(CultureInfo.InvariantCulture, $"{part + 1}/{parts.Count}");
                }

                var outcome = all.Any(o => o.Result == DeadLetterResult.Failed) ? AuditOutcome.Failure : AuditOutcome.Success;
                rows.Add(AuditEntry.ByCaller(actor, tenant.Key, now, action, outcome, new AuditResource("deadletter", runId), details: details) with
                {
                    KeySuffix = parts.Count > 1 ? Count(part + 1) : null,
                });
            }
        }

        return rows;
    }

    /// <summary>Writes <see cref="AuditRows"/> of a run.</summary>
    public Task AuditAsync(DeadLetterRun run, string actor, string? cause = null, CancellationToken cancellationToken = default) =>
        auditWriter.WriteBatchAsync(AuditRows(run, actor, cause), cancellationToken);

    private async Task<DeadLetterOutcome> SendThenRemoveAsync(DeadLetterLease lease, HashSet<string> sent, CancellationToken cancellationToken)
    {
        var deadLetter = lease.DeadLetter;
        try
        {
            if (!sent.Contains(deadLetter.Id))
            {
                await publisher.PublishAsync(deadLetter.Message, cancellationToken).ConfigureAwait(false);
                sent.Add(deadLetter.Id);
            }
        }
        catch (Exception e) when (e is BrokerUnavailableException or EventTooLargeException || TransientFailure.Is(e, cancellationToken))
        {
            return new DeadLetterOutcome(deadLetter, DeadLetterResult.Failed, $"the send failed ({e.GetType().Name}); the dead letter is kept");
        }

        try
        {
            await lease.RemoveAsync(cancellationToken).ConfigureAwait(false);
            return new DeadLetterOutcome(deadLetter, DeadLetterResult.Replayed, null);
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            // Sent, so the consumers have it; the copy left behind is harmless to replay or purge later.
            return new DeadLetterOutcome(deadLetter, DeadLetterResult.Failed, $"sent, but the dead letter could not be removed ({e.GetType().Name}); replaying it again changes nothing");
        }
    }

    private static DeadLetterRun Complete(DeadLetterAction action, IReadOnlyCollection<DeadLetter> targets, List<DeadLetterOutcome> outcomes)
    {
        var met = outcomes.Select(o => (o.DeadLetter.Subscription, o.DeadLetter.Key)).ToHashSet();
        var gone = targets.Where(t => !met.Contains((t.Subscription, t.Key))).ToList();
        return new DeadLetterRun(action, outcomes, gone);
    }

    private static string Ids(IEnumerable<DeadLetterOutcome> outcomes, params DeadLetterResult[] results) =>
        string.Join(' ', outcomes.Where(o => results.Contains(o.Result)).Select(o => $"{o.DeadLetter.Subscription}/{o.DeadLetter.Id}"));

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What a run does.</summary>
public enum DeadLetterAction
{
    /// <summary>Re-publish, then remove.</summary>
    Replay,

    /// <summary>Remove.</summary>
    Purge,
}

/// <summary>What became of one dead letter.</summary>
public enum DeadLetterResult
{
    /// <summary>Sent to the topic again and removed.</summary>
    Replayed,

    /// <summary>Removed.</summary>
    Purged,

    /// <summary>Left where it is, for the reason given.</summary>
    Skipped,

    /// <summary>The send or the removal failed; left where it is (or, when sent, harmless to replay again).</summary>
    Failed,
}

/// <summary>One dead letter's outcome, with why when it was not done.</summary>
public sealed record DeadLetterOutcome(DeadLetter DeadLetter, DeadLetterResult Result, string? Detail);

/// <summary>A whole run: each dead letter met, and the targets already gone when their turn came.</summary>
public sealed record DeadLetterRun(DeadLetterAction Action, IReadOnlyList<DeadLetterOutcome> Outcomes, IReadOnlyList<DeadLetter> Gone)
{
    /// <summary>Replayed or purged.</summary>
    public int Done => Outcomes.Count(o => o.Result is DeadLetterResult.Replayed or DeadLetterResult.Purged);

    /// <summary>Left for a reason.</summary>
    public int Skipped => Outcomes.Count(o => o.Result == DeadLetterResult.Skipped);

    /// <summary>Failed.</summary>
    public int Failed => Outcomes.Count(o => o.Result == DeadLetterResult.Failed);

    /// <summary>Dead letters removed, by tenant (<c>_unknown</c> for none).</summary>
    public IReadOnlyDictionary<string, int> DoneByTenant => Outcomes
        .Where(o => o.Result is DeadLetterResult.Replayed or DeadLetterResult.Purged)
        .GroupBy(o => o.DeadLetter.Tenant ?? RejectionTally.UnknownTenant, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
