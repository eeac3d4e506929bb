using Azure;
using Azure.Data.Tables;
using Pipeline.Core.Audit;
using Pipeline.Core.Telemetry;

namespace Pipeline.Azure.Audit;

/// <summary>
/// Recomputes the chain of a tenant's day partitions (<c>audit verify</c>) and reports the first break:
/// an edited row (its MAC differs), a deleted row (a gap in the sequence, or the head ahead of the
/// last row), a reordered or moved row (its MAC covers its keys and sequence number), or rows without
/// a chain. Retention deletes the oldest rows (strictly before its cutoff): in a partition dated on
/// or before <c>retentionCutoff</c> a missing start of the chain is expected, anywhere else it is a
/// break. Deleting a whole day partition, head included, leaves no trace in the table itself.
/// </summary>
public sealed class AuditChainVerifier(TableServiceClient tableService, byte[] chainKey)
{
    private readonly TableClient _table = tableService.GetTableClient(AuditTableWriter.TableName);

    /// <summary>Checks every day partition of <paramref name="tenant"/> from <paramref name="from"/>'s UTC day to <paramref name="to"/>'s.</summary>
    public async Task<ChainReport> VerifyAsync(
        string tenant,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset? retentionCutoff = null,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var partitions = 0;
        var rows = 0L;
        for (var day = from.UtcDateTime.Date; day <= to.UtcDateTime.Date; day = day.AddDays(1))
        {
            var partition = AuditEntry.PartitionFor(tenant, new DateTimeOffset(day, TimeSpan.Zero));
            progress?.Report(partition);
            var purgeable = retentionCutoff is { } cutoff && day <= cutoff.UtcDateTime.Date;
            var (checkedRows, chainBreak) = await VerifyPartitionAsync(partition, purgeable, cancellationToken);
            partitions += checkedRows > 0 || chainBreak is not null ? 1 : 0;
            rows += checkedRows;
            if (chainBreak is not null)
            {
                return new ChainReport(partitions, rows, chainBreak);
            }
        }

        return new ChainReport(partitions, rows, null);
    }

    /// <summary>Checks one partition; the number of chained rows seen and the first break, if any.</summary>
    public async Task<(long Rows, ChainBreak? Break)> VerifyPartitionAsync(string partition, bool purgeable = false, CancellationToken cancellationToken = default) =>
        VerifyPartition(partition, await ReadPartitionAsync(partition, cancellationToken), purgeable);

    /// <summary>Every row of one partition, head included (empty when the table does not exist yet).</summary>
    public async Task<List<TableEntity>> ReadPartitionAsync(string partition, CancellationToken cancellationToken = default)
    {
        var entities = new List<TableEntity>();
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
            {
                entities.Add(entity);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No audit table yet: no rows.
        }

        return entities;
    }

    /// <summary>
    /// Checks rows already read from one partition (<see cref="ReadPartitionAsync"/>), so a caller that also
    /// needs their content (the compliance report) reads each partition once.
    /// </summary>
    public (long Rows, ChainBreak? Break) VerifyPartition(string partition, IReadOnlyList<TableEntity> entities, bool purgeable = false)
    {
        var result = Check(partition, entities, purgeable);
        if (result.Break is not null)
        {
            // What the "chain verification failure" alert watches (infra/modules/alerts.bicep).
            PipelineMetrics.ChainBreak();
        }

        return result;
    }

    private (long Rows, ChainBreak? Break) Check(string partition, IReadOnlyList<TableEntity> entities, bool purgeable)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var head = entities.FirstOrDefault(e => e.RowKey == AuditChain.HeadRowKey);
        var chained = entities.Where(e => e.RowKey != AuditChain.HeadRowKey).ToList();
        if (chained.FirstOrDefault(e => e.GetInt64(AuditChain.Seq) is null || e.GetString(AuditChain.Hash) is null) is { } unchained)
        {
            return (chained.Count, new ChainBreak(partition, unchained.RowKey, null, "row carries no chain (inserted outside the writer?)"));
        }

        chained.Sort((a, b) => a.GetInt64(AuditChain.Seq)!.Value.CompareTo(b.GetInt64(AuditChain.Seq)!.Value));
        // Rows purged by retention: the chain starts where the oldest survivor says, with its own link.
        var first = purgeable && chained.Count > 0 ? chained[0].GetInt64(AuditChain.Seq)!.Value : 1;
        var previous = purgeable && chained.Count > 0 ? chained[0].GetString(AuditChain.Prev) ?? "" : "";
        for (var i = 0; i < chained.Count; i++)
        {
            var row = chained[i];
            var seq = row.GetInt64(AuditChain.Seq)!.Value;
            if (seq != i + first)
            {
                return (chained.Count, new ChainBreak(partition, row.RowKey, seq,
                    seq < i + first ? "sequence number repeated (row copied or reordered)" : $"row {i + first} is missing (deleted)"));
            }

            if (!string.Equals(row.GetString(AuditChain.Prev), previous, StringComparison.Ordinal))
            {
                return (chained.Count, new ChainBreak(partition, row.RowKey, seq, "link to the previous row does not match (row reordered, or its predecessor replaced)"));
            }

            var expected = AuditChain.Compute(chainKey, row);
            if (!string.Equals(row.GetString(AuditChain.Hash), expected, StringComparison.Ordinal))
            {
                return (chained.Count, new ChainBreak(partition, row.RowKey, seq, "row content does not match its MAC (edited or moved)"));
            }

            previous = expected;
        }

        if (head is null)
        {
            return chained.Count == 0 ? (0, null) : (chained.Count, new ChainBreak(partition, AuditChain.HeadRowKey, null, "head row missing (deleted)"));
        }

        var headSeq = head.GetInt64(AuditChain.Seq) ?? -1;
        if (chained.Count == 0 && purgeable)
        {
            return (0, null); // Every row of the day has expired; the head stays behind.
        }

        var last = chained.Count == 0 ? 0 : chained[^1].GetInt64(AuditChain.Seq)!.Value;
        if (headSeq != last || !string.Equals(head.GetString(AuditChain.Hash), previous, StringComparison.Ordinal))
        {
            return (chained.Count, new ChainBreak(partition, AuditChain.HeadRowKey, headSeq,
                headSeq > last ? $"the last {headSeq - last} row(s) are missing (deleted)" : "head does not match the last row"));
        }

        return (chained.Count, null);
    }
}

/// <summary>What <c>audit verify</c> found: partitions and rows checked, and the first break (null: intact).</summary>
public sealed record ChainReport(int Partitions, long Rows, ChainBreak? Break);

/// <summary>Where the chain first breaks and why.</summary>
public sealed record ChainBreak(string Partition, string RowKey, long? Seq, string Reason);
