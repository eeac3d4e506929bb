using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Storage;
using Pipeline.Core.Audit;

namespace Pipeline.Azure.Retention;

/// <summary>
/// Deletes a tenant's audit rows older than its retention. Audit partitions are per tenant per day
/// and RowKeys start with the row's time, so the expired rows are one key range: the cost follows
/// what expired, never the size of the table.
/// </summary>
public sealed class AuditRetentionPurger(TableServiceClient tableService)
{
    private const int MaxBatch = EntityGroupTransaction.MaxActions;

    /// <summary>Transactions submitted concurrently: deletes are independent, and a round trip each adds up.</summary>
    private const int MaxInFlight = 4;
    private readonly TableClient _table = tableService.GetTableClient(AuditTableWriter.TableName);

    /// <summary>
    /// Deletes (or, with <paramref name="dryRun"/>, only counts) the tenant's rows timed strictly
    /// before <paramref name="cutoff"/>. Stops between transactions once <paramref name="outOfTime"/>
    /// says so; every transaction is whole, so a stopped run leaves nothing half-done and the next
    /// run picks up where it left off.
    /// </summary>
    public async Task<PurgeResult> PurgeAsync(
        string tenant,
        DateTimeOffset cutoff,
        bool dryRun = false,
        Func<bool>? outOfTime = null,
        CancellationToken cancellationToken = default)
    {
        // Days before the cutoff's day go whole, chain head included; the cutoff's own day only up to the cutoff.
        var cutoffDay = AuditEntry.PartitionFor(tenant, cutoff);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {AuditEntry.PartitionFor(tenant, DateTimeOffset.MinValue)} and PartitionKey le {cutoffDay} and (PartitionKey lt {cutoffDay} or RowKey lt {AuditEntry.RowKeyPrefix(cutoff)})");
        var rows = 0;
        var batch = new List<TableTransactionAction>(MaxBatch);
        var inFlight = new List<Task<int>>(MaxInFlight);
        async Task<int> DrainAsync(int leave)
        {
            var done = 0;
            while (inFlight.Count > leave)
            {
                var finished = await Task.WhenAny(inFlight);
                inFlight.Remove(finished);
                done += await finished;
            }

            return done;
        }

        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                // An entity-group transaction holds one PartitionKey and at most 100 rows; a few go at once.
                if (batch.Count == MaxBatch || (batch.Count > 0 && row.PartitionKey != batch[0].Entity.PartitionKey))
                {
                    inFlight.Add(SubmitAsync(batch, dryRun, cancellationToken));
                    batch = new List<TableTransactionAction>(MaxBatch);
                    rows += await DrainAsync(MaxInFlight - 1);
                    if (outOfTime?.Invoke() == true)
                    {
                        return new PurgeResult(rows + await DrainAsync(0), Finished: false);
                    }
                }

                batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new PurgeResult(rows + await DrainAsync(0), Finished: true); // No audit table yet: nothing to purge.
        }

        inFlight.Add(SubmitAsync(batch, dryRun, cancellationToken));
        return new PurgeResult(rows + await DrainAsync(0), Finished: true);
    }

    /// <summary>
    /// Every tenant with audit rows, configured or not (the <c>_unknown</c> tenant of rejection counts, a
    /// tenant removed from configuration). A skip-scan: partitions are <c>{tenant}_{yyyyMMdd}</c> and a
    /// tenant id holds no <c>_</c>, so one row per tenant is read and the next query starts past all of
    /// that tenant's partitions; the cost follows the number of tenants, not of rows.
    /// </summary>
    public async IAsyncEnumerable<string> TenantsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var from = "";
        while (true)
        {
            string? partition = null;
            try
            {
                await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey gt {from}"), maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
                {
                    partition = row.PartitionKey;
                    break;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                yield break; // No audit table yet.
            }

            if (partition is null || partition.LastIndexOf('_') is var separator && separator <= 0)
            {
                yield break;
            }

            var tenant = partition[..separator];
            yield return tenant;
            from = tenant + "_~";
        }
    }

    private async Task<int> SubmitAsync(List<TableTransactionAction> batch, bool dryRun, CancellationToken cancellationToken)
    {
        // A partition's chain head is bookkeeping, not an audit row: removed, never counted.
        var count = batch.Count(action => action.Entity.RowKey != AuditChain.HeadRowKey);
        if (batch.Count == 0 || dryRun)
        {
            batch.Clear();
            return count;
        }

        try
        {
            await _table.SubmitTransactionAsync(batch, cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // An overlapping run deleted some of these rows first: delete the rest one by one and
            // count only what this run removed, so two runs never report the same row.
            count = 0;
            foreach (var action in batch)
            {
                var deleted = await DeleteIfPresentAsync(action.Entity, cancellationToken);
                count += deleted && action.Entity.RowKey != AuditChain.HeadRowKey ? 1 : 0;
            }
        }

        batch.Clear();
        return count;
    }

    private async Task<bool> DeleteIfPresentAsync(ITableEntity row, CancellationToken cancellationToken)
    {
        // Azurite answers a single delete of a missing row with success (Azure says 404),
        // so look first: a row already gone is the other run's to count.
        var existing = await _table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, ["PartitionKey"], cancellationToken);
        if (!existing.HasValue)
        {
            return false;
        }

        try
        {
            await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }
}

/// <summary>How many rows a purge removed (or would remove), and whether it got through all of them.</summary>
public readonly record struct PurgeResult(int Rows, bool Finished);
