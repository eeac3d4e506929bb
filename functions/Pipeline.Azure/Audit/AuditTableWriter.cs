using Azure.Data.Tables;
using Pipeline.Core.Audit;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Audit;

/// <summary>
/// Writes audit rows to the <c>AuditLog</c> table. Every part of the pipeline writes its rows through
/// this one writer. A row whose key already exists is the same row delivered again: that is success.
/// Rows are chained per partition (<see cref="AuditChain"/>); the rows of one partition that arrive
/// together go in one entity-group transaction with the partition's head row, and so do the rows that
/// concurrent callers of this writer add to the same partition (<see cref="PartitionCommitQueue"/>):
/// register the writer once per process.
/// </summary>
public sealed class AuditTableWriter
{
    /// <summary>The table name.</summary>
    public const string TableName = "AuditLog";

    /// <summary>A writer chaining with the key derived from <c>Pipeline:Audit:PseudonymKey</c>, as the handler does.</summary>
    public static AuditTableWriter ForPseudonymKey(TableServiceClient tableService, string? pseudonymKey) =>
        new(tableService, AuditChain.DeriveKey(pseudonymKey));

    /// <summary>An entity-group transaction holds at most 100 entities: the head and 99 rows.</summary>
    public const int MaxRowsPerTransaction = EntityGroupTransaction.MaxActions - 1;

    /// <summary>Below the 4 MiB transaction limit, with room for the head and the batch framing.</summary>
    private const long MaxTransactionBytes = 3 * 1024 * 1024;

    private const string DetailPrefix = "Detail_";
    private const int MaxAttempts = 64;

    // Required: a writer with some default key would chain rows that `audit verify` then reports as breaks.
    private readonly byte[] _chainKey;
    private readonly TableClient _table;
    private readonly TableCreation _tables;
    private readonly PartitionCommitQueue _commits;
    private long _conflictsRetried;

    /// <summary>A writer chaining with <paramref name="chainKey"/> (<see cref="AuditChain.DeriveKey"/>).</summary>
    public AuditTableWriter(TableServiceClient tableService, byte[] chainKey)
    {
        ArgumentNullException.ThrowIfNull(tableService);
        _chainKey = chainKey;
        _table = tableService.GetTableClient(TableName);
        _tables = new(_table);
        _commits = new(CommitAsync);
    }

    /// <summary>Transactions retried because another writer moved (or created) the chain head first: a measure of contention.</summary>
    public long ConflictsRetried => Interlocked.Read(ref _conflictsRetried);

    /// <summary>Adds the row unless it is already there.</summary>
    public Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        WriteBatchAsync([entry], cancellationToken);

    /// <summary>
    /// Adds the rows not already there: grouped by partition, each group chained and written in
    /// entity-group transactions of at most <see cref="MaxRowsPerTransaction"/> rows.
    /// </summary>
    public async Task WriteBatchAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await _tables.EnsureAsync(cancellationToken);

        // Partitions have their own chains: a batch spanning several tenant-days writes them side by side.
        await Task.WhenAll(entries.GroupBy(e => e.PartitionKey, StringComparer.Ordinal).Select(partition =>
            _commits.WriteAsync(partition.Key, [.. partition.DistinctBy(e => e.RowKey, StringComparer.Ordinal).Select(ToEntity)], cancellationToken)));
    }

    // The commit queue's drain calls this for everything it took; no caller's token, since it writes for several callers.
    private async Task CommitAsync(string partitionKey, List<TableEntity> rows)
    {
        foreach (var chunk in Chunk(rows))
        {
            await WritePartitionAsync(partitionKey, chunk, CancellationToken.None);
        }
    }

    /// <summary>
    /// One transaction: the head moves from (n, h) to (n + k, h_k) under its ETag, and the k rows are
    /// added. Another writer moving the head first (412, or 409 on a head both created) means read it
    /// again and relink; a row that already exists (409 at its index) is dropped from the batch.
    /// </summary>
    private async Task WritePartitionAsync(string partitionKey, List<TableEntity> pending, CancellationToken cancellationToken)
    {
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var head = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, AuditChain.HeadRowKey, cancellationToken: cancellationToken);
            var seq = head.HasValue ? head.Value!.GetInt64(AuditChain.Seq) ?? 0 : 0;
            var previous = head.HasValue ? head.Value!.GetString(AuditChain.Hash) ?? "" : "";
            foreach (var row in pending)
            {
                previous = AuditChain.Link(_chainKey, row, ++seq, previous);
            }

            var newHead = new TableEntity(partitionKey, AuditChain.HeadRowKey) { [AuditChain.Seq] = seq, [AuditChain.Hash] = previous };
            var actions = new List<TableTransactionAction>(pending.Count + 1)
            {
                head.HasValue
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, newHead, head.Value!.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, newHead),
            };
            actions.AddRange(pending.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)));
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException e) when (attempt < MaxAttempts && (e.Status is 409 or 412))
            {
                if (e.Status == 409 && e.FailedTransactionActionIndex is > 0 and var index)
                {
                    // Already written by an earlier delivery: a redelivered batch usually holds many such rows,
                    // so drop them all with one query rather than one failed transaction each.
                    if (await DropExistingAsync(partitionKey, pending, cancellationToken) == 0)
                    {
                        pending.RemoveAt(index - 1);
                    }
                }
                else if (e.Status == 409 && e.FailedTransactionActionIndex is null)
                {
                    await DropExistingAsync(partitionKey, pending, cancellationToken);
                }
                else
                {
                    Interlocked.Increment(ref _conflictsRetried);
                }

                // Otherwise another writer moved the head: back off a little and relink.
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 20)), cancellationToken);
            }
        }
    }

    /// <summary>Removes the pending rows the partition already holds: one range query over their keys. Returns how many.</summary>
    private async Task<int> DropExistingAsync(string partitionKey, List<TableEntity> pending, CancellationToken cancellationToken)
    {
        var first = pending.Select(r => r.RowKey).Min(StringComparer.Ordinal)!;
        var last = pending.Select(r => r.RowKey).Max(StringComparer.Ordinal)!;
        var existing = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {first} and RowKey le {last}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            existing.Add(row.RowKey);
        }

        return pending.RemoveAll(r => existing.Contains(r.RowKey));
    }

    private static IEnumerable<List<TableEntity>> Chunk(List<TableEntity> rows)
    {
        var chunk = new List<TableEntity>();
        long bytes = 0;
        foreach (var row in rows)
        {
            var size = EstimateBytes(row);
            if (chunk.Count == MaxRowsPerTransaction || (chunk.Count > 0 && bytes + size > MaxTransactionBytes))
            {
                yield return chunk;
                chunk = [];
                bytes = 0;
            }

            chunk.Add(row);
            bytes += size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    // JSON on the wire: UTF-8 text, a little framing per property; a generous estimate is enough here.
    private static long EstimateBytes(TableEntity row) =>
        512 + row.Sum(p => 64 + p.Key.Length + (p.Value is string s ? System.Text.Encoding.UTF8.GetByteCount(s) * 2L : 64));

    /// <summary>The table row for an entry.</summary>
    public static TableEntity ToEntity(AuditEntry entry)
    {
        var entity = new TableEntity(entry.PartitionKey, entry.RowKey)
        {
            ["Tenant"] = entry.Tenant,
            ["OccurredAt"] = entry.Timestamp,
            ["Action"] = entry.Action,
            ["Outcome"] = entry.Outcome,
            ["Actor"] = entry.Actor,
            ["ResourceType"] = entry.ResourceType,
            ["ResourceId"] = entry.ResourceId,
            ["EventId"] = entry.EventId,
            ["Subject"] = entry.Subject,
            ["TraceId"] = entry.TraceId,
        };
        foreach (var (name, value) in entry.Details)
        {
            entity[DetailPrefix + name] = value;
        }

        return entity;
    }

    /// <summary>The entry a table row holds (the inverse of <see cref="ToEntity"/>).</summary>
    public static AuditEntry FromEntity(TableEntity entity) => new(
        entity.GetString("Tenant") ?? "",
        entity.GetDateTimeOffset("OccurredAt") ?? default,
        entity.GetString("Action") ?? "",
        entity.GetString("Outcome") ?? "",
        entity.GetString("Actor") ?? "",
        entity.GetString("ResourceType") ?? "",
        entity.GetString("ResourceId"),
        entity.GetString("EventId"),
        entity.GetString("Subject"),
        entity.Where(p => p.Key.StartsWith(DetailPrefix, StringComparison.Ordinal) && p.Value is string)
            .ToDictionary(p => p.Key[DetailPrefix.Length..], p => (string)p.Value, StringComparer.Ordinal))
    {
        TraceId = entity.GetString("TraceId"),
    };
}
