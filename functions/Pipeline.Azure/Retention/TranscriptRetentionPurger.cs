using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Transcripts;

namespace Pipeline.Azure.Retention;

/// <summary>
/// Crypto-shreds a tenant's transcripts whose recorded expiry has passed. It walks the expiry index
/// (partitioned by expiry day), so the cost follows what expired, never the number of transcripts.
/// Expired means the same as for readers: <c>ExpiresAt &lt;= asOf</c>.
/// </summary>
public sealed class TranscriptRetentionPurger(TableServiceClient tableService, TranscriptTableStore store)
{
    private readonly TableClient _expiry = tableService.GetTableClient(TranscriptTableStore.ExpiryTableName);
    private readonly TableClient _transcripts = tableService.GetTableClient(TranscriptTableStore.TableName);

    /// <summary>Deletes (or only counts) the tenant's erasure holds whose retention period has passed.</summary>
    public async Task<PurgeResult> PurgeHoldsAsync(string tenant, DateTimeOffset asOf, bool dryRun = false, CancellationToken cancellationToken = default) =>
        new(await store.Holds.PurgeExpiredHoldsAsync(tenant, asOf, dryRun, cancellationToken).ConfigureAwait(false), Finished: true);

    /// <summary>Deletes (or only counts) the tenant's expired transcripts; stops between transcripts when out of time.</summary>
    public async Task<PurgeResult> PurgeAsync(
        string tenant,
        DateTimeOffset asOf,
        bool dryRun = false,
        Func<bool>? outOfTime = null,
        CancellationToken cancellationToken = default)
    {
        // The query filter formats DateTime arguments as datetime literals, so the day key is made a string first.
        var lastDay = asOf.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {lastDay} and Tenant eq {tenant} and ExpiresAt le {asOf}");
        var expired = new List<TableEntity>();
        try
        {
            await foreach (var row in _expiry.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "TranscriptId"], cancellationToken: cancellationToken))
            {
                expired.Add(row);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new PurgeResult(0, Finished: true); // No transcript was ever stored.
        }

        if (dryRun)
        {
            return new PurgeResult(expired.Count, Finished: true);
        }

        var deleted = 0;
        foreach (var row in expired)
        {
            if (outOfTime?.Invoke() == true)
            {
                return new PurgeResult(deleted, Finished: false);
            }

            deleted += await ShredAsync(tenant, row, cancellationToken) ? 1 : 0;
        }

        return new PurgeResult(deleted, Finished: true);
    }

    /// <summary>
    /// Shreds one transcript and drops its expiry row. A transcript already gone (an overlapping run,
    /// or a run cut off after the header went) is not counted, and its leftover index row is cleaned.
    /// </summary>
    private async Task<bool> ShredAsync(string tenant, TableEntity expiryRow, CancellationToken cancellationToken)
    {
        var transcriptId = expiryRow.GetString("TranscriptId") ?? "";
        var present = await _transcripts.GetEntityIfExistsAsync<TableEntity>(expiryRow.RowKey, TranscriptTableStore.HeaderRowKey, ["RowKey"], cancellationToken);
        var shredded = false;
        try
        {
            shredded = present.HasValue && await store.DeleteAsync(tenant, transcriptId, cancellationToken);
            if (!present.HasValue)
            {
                // No key: whatever chunks remain are unreadable already; remove them too.
                await store.DeleteAsync(tenant, transcriptId, cancellationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Another run is deleting the same transcript; it counts it.
            shredded = false;
        }

        try
        {
            await _expiry.DeleteEntityAsync(expiryRow.PartitionKey, expiryRow.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already removed with the transcript.
        }

        return shredded;
    }
}
