using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Pipeline.Azure.Resilience;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Webhooks;

/// <summary>
/// What one <see cref="PublishedMarks.WriteQueuedAsync"/> round did: marks written, claims found gone
/// (purged: nothing to mark), marks dropped because storage failed (with the first failure's status or
/// kind, never an id), and the table calls it took.
/// </summary>
public sealed record MarkRound(int Marked, int Missing, int Failed, int Calls, string? Failure)
{
    public static readonly MarkRound None = new(0, 0, 0, 0, null);

    public MarkRound Plus(MarkRound other) =>
        new(Marked + other.Marked, Missing + other.Missing, Failed + other.Failed, Calls + other.Calls, Failure ?? other.Failure);
}

/// <summary>
/// The marks (<c>Published</c> = true) of claims whose event is on the broker, written after the ingress
/// answered: a new event then costs one table call (its claim) before its 202, and a burst of N new events
/// about N / <see cref="EntityGroupTransaction.MaxActions"/> mark calls, one transaction per tenant and
/// hundred. A mark that is late or never written (failure, full queue, kill) is safe: a redelivery that finds
/// the claim unpublished publishes the identical message (first acceptance time, same message id), which
/// the broker's duplicate detection and the idempotent consumers take as one event. So a failed mark is
/// counted and dropped, not retried.
/// </summary>
public sealed class PublishedMarks(SeenEventStore store) : IDisposable
{
    /// <summary>Marks waiting at most; beyond this the newest is dropped and counted.</summary>
    public const int Capacity = 50_000;

    /// <summary>The longest one mark call may take: a storage outage must not hold a round (or shutdown) for the SDK's whole retry budget.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Transactions in flight at once in a round; a round takes at most this many transactions' worth of marks.</summary>
    private const int Concurrency = 4;

    // Lock-free for the requests: a Channel takes a lock on every write, and under a burst of new events every
    // request queued behind the others and the writer for it (most of a new event's time in the handler).
    private readonly ConcurrentQueue<(string Tenant, string EventId)> _queue = new();

    /// <summary>Released when a mark is queued while the writer may be waiting (see <see cref="_wakePending"/>).</summary>
    private readonly SemaphoreSlim _queuedSignal = new(0);

    private int _queued;
    private long _dropped;

    /// <summary>1 from a mark's wake-up until the writer next looks at the queue: one release per look, not per mark.</summary>
    private int _wakePending;

    /// <summary>Marks waiting to be written.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// The event is on the broker: this instance remembers it at once (its redeliveries are answered from
    /// memory) and the mark is queued for the table. Never waits; a full queue drops the mark and counts it.
    /// </summary>
    public void Add(string tenant, string eventId, TimeSpan lifetime)
    {
        store.RememberPublished(tenant, eventId, lifetime);
        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue((tenant, eventId));
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _queuedSignal.Release();
        }
    }

    public void Dispose() => _queuedSignal.Dispose();

    /// <summary>Marks dropped on a full queue since the last call.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    /// <summary>Completes when a mark is queued (at once if one is); for one writer at a time.</summary>
    public async Task WaitForMarksAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Cleared before looking (a full fence): a mark queued after the look finds it clear and releases.
            Interlocked.Exchange(ref _wakePending, 0);
            if (!_queue.IsEmpty)
            {
                return;
            }

            await _queuedSignal.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes what is queued (up to <see cref="Concurrency"/> transactions' worth), grouped by tenant (the
    /// PartitionKey) in transactions of up to <see cref="EntityGroupTransaction.MaxActions"/>. Never throws for
    /// storage or for <paramref name="cancellationToken"/>: what could not be written is counted in the result.
    /// </summary>
    public async Task<MarkRound> WriteQueuedAsync(CancellationToken cancellationToken)
    {
        var queued = new List<(string Tenant, string EventId)>();
        while (queued.Count < Concurrency * EntityGroupTransaction.MaxActions && _queue.TryDequeue(out var mark))
        {
            Interlocked.Decrement(ref _queued);
            queued.Add(mark);
        }

        // Distinct: two redeliveries of one unpublished claim can both republish it, and a transaction
        // must not name a row twice.
        var groups = queued.GroupBy(mark => mark.Tenant, StringComparer.Ordinal).SelectMany(tenant => tenant
            .Select(mark => mark.EventId).Distinct(StringComparer.Ordinal).Chunk(EntityGroupTransaction.MaxActions)
            .Select(eventIds => (Tenant: tenant.Key, EventIds: eventIds)));
        var rounds = new ConcurrentBag<MarkRound>();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (group, _) =>
            rounds.Add(await WriteGroupAsync(group.Tenant, group.EventIds, cancellationToken)));
        return rounds.Aggregate(MarkRound.None, (sum, round) => sum.Plus(round));
    }

    private async Task<MarkRound> WriteGroupAsync(string tenant, string[] eventIds, CancellationToken cancellationToken)
    {
        try
        {
            using var bounded = Bounded(cancellationToken);
            await store.MarkPublishedAsync(tenant, eventIds, bounded.Token);
            return new MarkRound(eventIds.Length, 0, 0, 1, null);
        }
        // Any cancellation too, the caller's at shutdown included: the marks are dropped, not the round.
        catch (Exception e) when (TransientFailure.Is(e, CancellationToken.None))
        {
            // A claim purged since fails the whole transaction with 404: one merge per claim, so it costs only itself.
            return await WriteOneByOneAsync(tenant, eventIds, cancellationToken);
        }
    }

    private async Task<MarkRound> WriteOneByOneAsync(string tenant, string[] eventIds, CancellationToken cancellationToken)
    {
        var (marked, missing) = (0, 0);
        foreach (var eventId in eventIds)
        {
            try
            {
                using var bounded = Bounded(cancellationToken);
                _ = await store.MarkPublishedAsync(tenant, eventId, bounded.Token) ? marked++ : missing++;
            }
            catch (Exception e) when (TransientFailure.Is(e, CancellationToken.None))
            {
                // Storage itself is failing, not one claim: the rest of the group is dropped rather than each waiting out its own timeout.
                return new MarkRound(marked, missing, eventIds.Length - marked - missing, 1 + marked + missing + 1, Describe(e));
            }
        }

        return new MarkRound(marked, missing, 0, 1 + eventIds.Length, null);
    }

    private static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(CallTimeout);
        return bounded;
    }

    /// <summary>The failure as a status code or an exception kind: its message can name the row, and so an event id.</summary>
    private static string Describe(Exception e) => e is RequestFailedException { Status: > 0 } failed
        ? failed.Status.ToString(CultureInfo.InvariantCulture)
        : e.GetType().Name;
}
