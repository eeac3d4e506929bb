using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Webhooks;

/// <summary>
/// Remembers the events the ingress accepted, per tenant, for a bounded time (table <c>SeenEvents</c>,
/// PartitionKey = tenant, RowKey = event id, <c>ExpiresAt</c> for the purge), so a redelivered webhook
/// answers <c>duplicate: true</c> across instances and restarts. The broker's duplicate detection stays
/// the second line. Rows hold ids and times only.
/// </summary>
public sealed class SeenEventStore(TableServiceClient tableService, TimeProvider timeProvider)
{
    /// <summary>The table name.</summary>
    public const string TableName = "SeenEvents";

    /// <summary>Ids this instance remembers without asking the table; beyond this many it starts afresh.</summary>
    public const int LocalCapacity = 100_000;

    private readonly TableClient _table = tableService.GetTableClient(TableName);

    /// <summary>
    /// What this instance itself marked seen, so a redelivery storm costs no table read. Only positive
    /// answers come from here; a miss always asks the table, which other instances write too.
    /// </summary>
    private readonly ConcurrentDictionary<(string Tenant, string EventId), DateTimeOffset> _local = new();
    private readonly TableCreation _tables = new(tableService.GetTableClient(TableName));

    /// <summary>True when the event was accepted before and its memory has not expired.</summary>
    public async Task<bool> WasSeenAsync(string tenant, string eventId, CancellationToken cancellationToken = default)
    {
        if (_local.TryGetValue((tenant, eventId), out var localExpiry))
        {
            if (localExpiry > timeProvider.GetUtcNow())
            {
                return true;
            }

            _local.TryRemove((tenant, eventId), out _);
        }

        NullableResponse<TableEntity> row;
        try
        {
            row = await _table.GetEntityIfExistsAsync<TableEntity>(tenant, eventId, ["ExpiresAt"], cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false; // No table yet: nothing was seen.
        }

        return row.HasValue && row.Value!.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt > timeProvider.GetUtcNow();
    }

    /// <summary>Records an accepted event for <paramref name="lifetime"/>; called only after it was published.</summary>
    public async Task MarkSeenAsync(string tenant, string eventId, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var entity = new TableEntity(tenant, eventId)
        {
            ["AcceptedAt"] = now,
            ["ExpiresAt"] = now + lifetime,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        if (_local.Count >= LocalCapacity)
        {
            _local.Clear();
        }

        _local[(tenant, eventId)] = now + lifetime;
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
                // A row another purge deleted first answers 404, which the SDK reports as a plain response.
                using var response = await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                deleted += response.Status == 404 ? 0 : 1;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return deleted; // No table yet: nothing to purge.
        }

        return deleted;
    }
}
