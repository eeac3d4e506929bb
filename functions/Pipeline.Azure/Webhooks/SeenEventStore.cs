using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Webhooks;

/// <summary>What the claim of an event found.</summary>
public enum ClaimStatus
{
    /// <summary>No live claim existed: this request claimed the event and must publish it.</summary>
    New,

    /// <summary>Claimed before and published: a redelivery, answered as a duplicate and not published again.</summary>
    Published,

    /// <summary>
    /// Claimed before but never confirmed published (the claimant died, or the broker refused it): publish
    /// again with the claim's <see cref="EventClaim.ReceivedAt"/>, so the message is the same one.
    /// </summary>
    Unpublished,
}

/// <summary>The outcome of a claim, with the acceptance time every publish of the event carries.</summary>
public sealed record EventClaim(ClaimStatus Status, DateTimeOffset ReceivedAt);

/// <summary>
/// Claims the events the ingress accepts, per tenant, for a bounded time (table <c>SeenEvents</c>,
/// PartitionKey = tenant, RowKey = event id), so a redelivered webhook answers <c>duplicate: true</c>
/// across instances and restarts. A new event costs one conditional insert before it is published
/// (409 = claimed already); the mark that it is on the broker (<c>Published</c>) is written after the
/// answer, in entity-group transactions of many events (<see cref="PublishedMarks"/>). The claim keeps the
/// first acceptance time, so an event whose claim is not marked (its first attempt died between claim and
/// publish, or its mark is late or was lost) is published again as the identical message: the consumers'
/// keys and the broker's message id come out the same. Rows hold ids, times and a flag only.
/// </summary>
public sealed class SeenEventStore(TableServiceClient tableService, TimeProvider timeProvider)
{
    /// <summary>The table name.</summary>
    public const string TableName = "SeenEvents";

    /// <summary>Ids this instance remembers without asking the table; beyond this many it starts afresh.</summary>
    public const int LocalCapacity = 100_000;

    // Ticks, not a DateTime property: the consumers key rows on the exact ticks, and a round trip through
    // a table DateTime is only as precise as the service (or Azurite) keeps it.
    private const string ReceivedAtTicks = "ReceivedAtTicks";
    private const string ExpiresAt = "ExpiresAt";
    private const string Published = "Published";

    /// <summary>A claim that keeps expiring or vanishing under us this often is contended beyond reason.</summary>
    private const int MaxAttempts = 4;

    private readonly TableClient _table = tableService.GetTableClient(TableName);

    /// <summary>
    /// What this instance itself saw published, so a redelivery storm costs no table call. Only positive
    /// answers come from here; a miss always asks the table, which other instances write too.
    /// </summary>
    private readonly ConcurrentDictionary<(string Tenant, string EventId), DateTimeOffset> _local = new();

    /// <summary>
    /// About how many ids <see cref="_local"/> holds. Its own Count takes every one of its locks, which made
    /// each new event wait for all the others under load; this count may be off by the few ids added while
    /// the memory is being cleared, which only moves the next clear a little.
    /// </summary>
    private int _localCount;
    private readonly TableCreation _tables = new(tableService.GetTableClient(TableName));

    /// <summary>
    /// Claims <paramref name="eventId"/> for <paramref name="lifetime"/> unless a live claim exists;
    /// an expired claim is taken over as if there were none. Storage failures propagate: without a
    /// claim the ingress must not accept.
    /// </summary>
    public Task<EventClaim> ClaimAsync(string tenant, string eventId, DateTimeOffset receivedAt, TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        ClaimAsync(tenant, eventId, receivedAt, lifetime, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// As above, the table calls cancelled after <paramref name="timeout"/> (an <see cref="OperationCanceledException"/>
    /// while <paramref name="cancellationToken"/> is not cancelled). The timer starts only when the table is
    /// asked: a redelivery this instance remembers is answered without one.
    /// </summary>
    public async Task<EventClaim> ClaimAsync(string tenant, string eventId, DateTimeOffset receivedAt, TimeSpan lifetime, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        if (_local.TryGetValue((tenant, eventId), out var localExpiry))
        {
            if (localExpiry > now)
            {
                return new EventClaim(ClaimStatus.Published, receivedAt);
            }

            if (_local.TryRemove((tenant, eventId), out _))
            {
                Interlocked.Decrement(ref _localCount);
            }
        }

        using var bounded = timeout == Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded?.CancelAfter(timeout);
        return await ClaimInTableAsync(tenant, eventId, receivedAt, lifetime, now, bounded?.Token ?? cancellationToken);
    }

    private async Task<EventClaim> ClaimInTableAsync(string tenant, string eventId, DateTimeOffset receivedAt, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claim = new TableEntity(tenant, eventId)
        {
            [ReceivedAtTicks] = receivedAt.UtcTicks,
            [ExpiresAt] = now + lifetime,
            [Published] = false,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _tables.EnsureAsync(cancellationToken);
                await _table.AddEntityAsync(claim, cancellationToken);
                return new EventClaim(ClaimStatus.New, receivedAt);
            }
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound && attempt < MaxAttempts)
            {
                // Created once per process, then lost (a storage emulator restarted empty): create it again.
                _tables.Forget();
                continue;
            }
            catch (RequestFailedException e) when (e.Status == 409 && attempt < MaxAttempts)
            {
                // Claimed before: read what the claim says.
            }

            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(tenant, eventId, [ReceivedAtTicks, ExpiresAt, Published], cancellationToken);
            if (!existing.HasValue)
            {
                continue; // Purged between our insert and our read: insert again.
            }

            var row = existing.Value!;
            if (row.GetDateTimeOffset(ExpiresAt) is not { } expiresAt || expiresAt <= now)
            {
                // Its memory expired: the event is new again, as if the purge had already run.
                try
                {
                    await _table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Replace, cancellationToken);
                    return new EventClaim(ClaimStatus.New, receivedAt);
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412 && attempt < MaxAttempts)
                {
                    continue; // Another request took it over (or the purge removed it) first.
                }
            }

            // A claim from before claims existed has no ticks and was written only after publishing.
            var ticks = row.GetInt64(ReceivedAtTicks);
            if (ticks is null || row.GetBoolean(Published) is not false)
            {
                Remember(tenant, eventId, expiresAt);
                return new EventClaim(ClaimStatus.Published, ticks is { } first ? new DateTimeOffset(first, TimeSpan.Zero) : receivedAt);
            }

            return new EventClaim(ClaimStatus.Unpublished, new DateTimeOffset(ticks.Value, TimeSpan.Zero));
        }
    }

    /// <summary>
    /// Remembers in this process that the event is on the broker, so this instance answers its redeliveries
    /// without the table at once, before the mark reaches the table.
    /// </summary>
    public void RememberPublished(string tenant, string eventId, TimeSpan lifetime) =>
        Remember(tenant, eventId, timeProvider.GetUtcNow() + lifetime);

    /// <summary>
    /// Marks claims of one tenant published in one entity-group transaction (at most
    /// <see cref="EntityGroupTransaction.MaxActions"/>). Merges, never inserts: a claim that is gone fails the
    /// whole transaction with 404 (<see cref="TableTransactionFailedException"/>), as storage failures do.
    /// </summary>
    public async Task MarkPublishedAsync(string tenant, IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        var actions = eventIds.Select(eventId => new TableTransactionAction(TableTransactionActionType.UpdateMerge, PublishedMark(tenant, eventId), ETag.All)).ToList();
        EntityGroupTransaction.EnsureValid(actions);
        await _table.SubmitTransactionAsync(actions, cancellationToken);
    }

    /// <summary>Marks one claim published; false when it is gone (purged), which is not recreated.</summary>
    public async Task<bool> MarkPublishedAsync(string tenant, string eventId, CancellationToken cancellationToken = default)
    {
        try
        {
            await _table.UpdateEntityAsync(PublishedMark(tenant, eventId), ETag.All, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private static TableEntity PublishedMark(string tenant, string eventId) => new(tenant, eventId) { [Published] = true };

    private void Remember(string tenant, string eventId, DateTimeOffset expiresAt)
    {
        if (Volatile.Read(ref _localCount) >= LocalCapacity)
        {
            _local.Clear();
            Interlocked.Exchange(ref _localCount, 0);
        }

        if (_local.TryAdd((tenant, eventId), expiresAt))
        {
            Interlocked.Increment(ref _localCount);
        }
        else
        {
            _local[(tenant, eventId)] = expiresAt;
        }
    }

    /// <summary>Deletes rows whose memory expired before <paramref name="now"/>; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"ExpiresAt lt {now}");
        var deleted = 0;
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                // A row another purge deleted first answers 404, which the SDK reports as a plain response;
                // one a new claim took over since the query answers 412 and stays.
                try
                {
                    using var response = await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                    deleted += response.Status == 404 ? 0 : 1;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    // Claimed again after it expired: live, not purged.
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return deleted; // No table yet: nothing to purge.
        }

        return deleted;
    }
}
