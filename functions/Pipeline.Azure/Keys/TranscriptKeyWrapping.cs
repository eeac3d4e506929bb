using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Storage;
using Pipeline.Azure.Transcripts;

namespace Pipeline.Azure.Keys;

/// <summary>One page of a rewrap run.</summary>
/// <param name="Examined">Headers looked at.</param>
/// <param name="Rewrapped">Data keys re-wrapped under the current key version.</param>
/// <param name="AlreadyCurrent">Headers already under the current version.</param>
/// <param name="ChangedMeanwhile">Headers deleted or updated by someone else during the run.</param>
/// <param name="ContinuationToken">Where the next page starts; null when the run is complete.</param>
public sealed record RewrapPage(int Examined, int Rewrapped, int AlreadyCurrent, int ChangedMeanwhile, string? ContinuationToken);

/// <summary>
/// The key-encryption-key side of stored transcripts: which key version wraps each data key, and <c>keys rewrap</c>.
/// Reads and updates only the transcript headers' wrapping properties; the rows themselves are the store's.
/// </summary>
public sealed class TranscriptKeyWrapping(TableServiceClient tableService)
{
    private readonly TableClient _transcripts = tableService.GetTableClient(TranscriptTableStore.TableName);
    private readonly TableCreation _tables = new(tableService.GetTableClient(TranscriptTableStore.TableName));

    /// <summary>
    /// One page of <c>keys rewrap</c>: every header (of one tenant, or all) whose data key is not wrapped under
    /// the current key version gets it re-wrapped, guarded by the header's ETag so a concurrent delete or
    /// rewrap wins. Pass the returned token to continue; null means done. Resumable: a stopped run simply
    /// starts again, and headers already current are counted and left alone.
    /// </summary>
    public async Task<RewrapPage> RewrapPageAsync(TranscriptProtector protector, string? tenant, string? continuationToken, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protector);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        string[] columns = [nameof(TranscriptHeader.PartitionKey), nameof(TranscriptHeader.RowKey), nameof(TranscriptHeader.KeyId), nameof(TranscriptHeader.WrapAlgorithm), nameof(TranscriptHeader.WrappedKey)];
        var pages = _transcripts.QueryAsync<TranscriptHeader>(TranscriptTableStore.HeaderFilter(tenant), pageSize, columns, cancellationToken)
            .AsPages(continuationToken, pageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            int rewrapped = 0, current = 0, changed = 0;
            foreach (var header in page.Values)
            {
                var result = await protector.RewrapAsync(header.KeyId ?? "", header.WrapAlgorithm ?? "", header.WrappedKey ?? [], cancellationToken).ConfigureAwait(false);
                if (result is not { } rewrap)
                {
                    current++;
                    continue;
                }

                // Only the two columns that change: a merge of the whole typed header would write every other column too.
                var update = new TableEntity(header.PartitionKey, header.RowKey)
                {
                    [nameof(TranscriptHeader.KeyId)] = rewrap.KeyId,
                    [nameof(TranscriptHeader.WrappedKey)] = rewrap.WrappedKey,
                };
                try
                {
                    await _transcripts.UpdateEntityAsync(update, header.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                    rewrapped++;
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                    // Deleted or re-wrapped meanwhile: whatever is there now is not this run's to change.
                    changed++;
                }
            }

            return new RewrapPage(page.Values.Count, rewrapped, current, changed, page.ContinuationToken);
        }

        return new RewrapPage(0, 0, 0, 0, null);
    }

    /// <summary>How many transcripts are stored (of one tenant, or all): what a rewrap run will examine.</summary>
    public async Task<int> CountAsync(string? tenant, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var count = 0;
        await foreach (var _ in _transcripts.QueryAsync<TranscriptHeader>(TranscriptTableStore.HeaderFilter(tenant), 1000, [nameof(TranscriptHeader.PartitionKey)], cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <summary>How many of a tenant's stored transcripts each key-encryption-key version wraps (the compliance report).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByKeyAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await foreach (var header in _transcripts.QueryAsync<TranscriptHeader>(TranscriptTableStore.HeaderFilter(tenant), 1000, [nameof(TranscriptHeader.KeyId)], cancellationToken).ConfigureAwait(false))
        {
            var keyId = header.KeyId ?? "";
            counts[keyId] = counts.GetValueOrDefault(keyId) + 1;
        }

        return counts;
    }
}
