using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace Pipeline.Azure.Audit;

/// <summary>
/// Group commit for the audit chain within one process (issue 15 item 1). Concurrent writes to the same
/// partition queue up, and one drain at a time takes whole writes, up to
/// <see cref="AuditTableWriter.MaxRowsPerTransaction"/> rows, and commits them together: one head read
/// and one transaction for many writers, instead of every writer racing for the head and retrying on 412.
/// The chain itself is unchanged (rows linked one after another under the head's ETag), so other
/// processes still contend safely and <c>audit verify</c> reads the same chain.
/// </summary>
internal sealed class PartitionCommitQueue(Func<string, List<TableEntity>, Task> commit)
{
    private readonly ConcurrentDictionary<string, Partition> _partitions = new(StringComparer.Ordinal);

    /// <summary>
    /// Completes when the rows are committed (or fails with the commit's exception). Cancelling stops the
    /// wait, not the commit: rows already queued may still be written, which a redelivery then finds (409).
    /// </summary>
    public Task WriteAsync(string partitionKey, List<TableEntity> rows, CancellationToken cancellationToken)
    {
        var write = new QueuedWrite(rows);
        while (true)
        {
            var partition = _partitions.GetOrAdd(partitionKey, key => new Partition(key));
            lock (partition)
            {
                if (partition.Retired)
                {
                    continue; // Its drain just finished and removed it: queue on a fresh one.
                }

                partition.Queue.Enqueue(write);
                if (!partition.Draining)
                {
                    partition.Draining = true;
                    _ = Task.Run(() => DrainAsync(partition), CancellationToken.None);
                }

                break;
            }
        }

        return write.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync(Partition partition)
    {
        while (TakeNext(partition) is { } taken)
        {
            try
            {
                // Two writers may hold the same row (a redelivery racing the original): it is written once.
                var rows = taken.SelectMany(w => w.Rows).DistinctBy(r => r.RowKey, StringComparer.Ordinal).ToList();
                await commit(partition.Key, rows);
                taken.ForEach(w => w.Done.TrySetResult());
            }
#pragma warning disable CA1031 // Whatever the commit threw belongs to the writers waiting on it, not to this drain.
            catch (Exception e)
#pragma warning restore CA1031
            {
                taken.ForEach(w => w.Done.TrySetException(e));
            }
        }
    }

    /// <summary>Whole queued writes up to a transaction's worth of rows (at least one write); null, and the partition retired, when none is left.</summary>
    private List<QueuedWrite>? TakeNext(Partition partition)
    {
        lock (partition)
        {
            var taken = new List<QueuedWrite>();
            var rows = 0;
            while (partition.Queue.TryPeek(out var next) && (taken.Count == 0 || rows + next.Rows.Count <= AuditTableWriter.MaxRowsPerTransaction))
            {
                taken.Add(partition.Queue.Dequeue());
                rows += next.Rows.Count;
            }

            if (taken.Count > 0)
            {
                return taken;
            }

            partition.Draining = false;
            partition.Retired = true;
            _partitions.TryRemove(KeyValuePair.Create(partition.Key, partition));
            return null;
        }
    }

    private sealed class Partition(string key)
    {
        public string Key { get; } = key;

        public Queue<QueuedWrite> Queue { get; } = new();

        public bool Draining { get; set; }

        public bool Retired { get; set; }
    }

    private sealed record QueuedWrite(List<TableEntity> Rows)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
