using Azure;
using Pipeline.Azure.Transcripts;

namespace Pipeline.Azure.Retention;

/// <summary>
/// Crypto-shreds a tenant's transcripts whose recorded expiry has passed. It walks the expiry index
/// (partitioned by expiry day), so the cost follows what expired, never the number of transcripts.
/// Expired means the same as for readers: <c>ExpiresAt &lt;= asOf</c>.
/// </summary>
public sealed class TranscriptRetentionPurger(TranscriptTableStore store)
{
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
        var expired = await store.Expiry.ExpiredAsync(tenant, asOf, cancellationToken).ConfigureAwait(false);
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

            deleted += await ShredAsync(tenant, row, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return new PurgeResult(deleted, Finished: true);
    }

    /// <summary>
    /// Shreds one transcript and drops its expiry row. A transcript already gone (an overlapping run,
    /// or a run cut off after the header went) is not counted, and its leftover index row is cleaned.
    /// </summary>
    private async Task<bool> ShredAsync(string tenant, ExpiryIndexRow expiryRow, CancellationToken cancellationToken)
    {
        var transcriptId = expiryRow.TranscriptId ?? "";
        var present = await store.ExistsAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
        var shredded = false;
        try
        {
            shredded = present && await store.DeleteAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
            if (!present)
            {
                // No key: whatever chunks remain are unreadable already; remove them too.
                await store.DeleteAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Another run is deleting the same transcript; it counts it.
            shredded = false;
        }

        await store.Expiry.RemoveAsync(expiryRow, cancellationToken).ConfigureAwait(false);
        return shredded;
    }
}
