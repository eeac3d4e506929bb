using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;

namespace Pipeline.Azure.Retention;

/// <summary>
/// Deletes a tenant's audit rows older than its retention. Audit partitions are per tenant per day,
/// so the expired rows are one PartitionKey range: the cost follows what expired, not the table size.
/// </summary>
public sealed class AuditRetentionPurger(TableServiceClient tableService)
{
    private const int MaxBatch = 100;
    private readonly TableClient _table = tableService.GetTableClient(AuditTableWriter.TableName);

    /// <summary>Deletes rows of partitions dated before <paramref name="cutoff"/>'s UTC day; returns how many.</summary>
    public async Task<int> PurgeAsync(string tenant, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var first = AuditEntry.PartitionFor(tenant, DateTimeOffset.MinValue);
        var end = AuditEntry.PartitionFor(tenant, cutoff);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {end}");
        var deleted = 0;
        var batch = new List<TableTransactionAction>(MaxBatch);
        string? partition = null;
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                // An entity-group transaction holds one PartitionKey and at most 100 rows.
                if (batch.Count == MaxBatch || (partition is not null && row.PartitionKey != partition))
                {
                    deleted += await SubmitAsync(batch, cancellationToken);
                }

                partition = row.PartitionKey;
                batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0; // No audit table yet: nothing to purge.
        }

        return deleted + await SubmitAsync(batch, cancellationToken);
    }

    private async Task<int> SubmitAsync(List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var count = batch.Count;
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
                // Azurite answers a single delete of a missing row with success (Azure says 404),
                // so look first: a row already gone is the other run's to count.
                var existing = await _table.GetEntityIfExistsAsync<TableEntity>(
                    action.Entity.PartitionKey, action.Entity.RowKey, ["PartitionKey"], cancellationToken);
                if (!existing.HasValue)
                {
                    continue;
                }

                try
                {
                    await _table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
                    count++;
                }
                catch (RequestFailedException missing) when (missing.Status == 404)
                {
                }
            }
        }

        batch.Clear();
        return count;
    }
}
