using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Transcripts;

/// <summary>
/// Erasure holds (issue 16 item 6): PartitionKey = tenant, RowKey = a keyed tombstone
/// (<see cref="Core.Privacy.ErasureHolds"/>), ExpiresAt. An erased transcript or subject's events are refused while
/// a hold stands; retention removes expired holds.
/// </summary>
public sealed class ErasureHoldStore(TableServiceClient tableService)
{
    public const string TableName = "ErasureHolds";

    private readonly TableClient _holds = tableService.GetTableClient(TableName);
    private readonly TableCreation _tables = new(tableService.GetTableClient(TableName));

    /// <summary>Places an erasure hold (idempotent; a later expiry wins).</summary>
    public async Task HoldAsync(string tenant, string holdKey, DateTimeOffset expiresAt, string reason, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _holds.UpsertEntityAsync(new TableEntity(tenant, holdKey) { ["ExpiresAt"] = expiresAt, ["Reason"] = reason }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when an unexpired erasure hold is on <paramref name="holdKey"/>.</summary>
    public async Task<bool> IsHeldAsync(string tenant, string holdKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var hold = await _holds.GetEntityIfExistsAsync<TableEntity>(tenant, holdKey, ["ExpiresAt"], cancellationToken).ConfigureAwait(false);
        return hold.HasValue && hold.Value!.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt > now;
    }

    /// <summary>Deletes a tenant's erasure holds that expired before <paramref name="now"/> (or counts them); returns how many.</summary>
    public async Task<int> PurgeExpiredHoldsAsync(string tenant, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var purged = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tenant} and ExpiresAt lt {now}");
        await foreach (var hold in _holds.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!dryRun)
            {
                using var response = await _holds.DeleteEntityAsync(hold.PartitionKey, hold.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            }

            purged++;
        }

        return purged;
    }
}
