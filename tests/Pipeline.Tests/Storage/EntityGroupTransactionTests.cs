using Azure.Data.Tables;
using Pipeline.Azure.Storage;
using Pipeline.Azure.Transcripts;

namespace Pipeline.Tests.Storage;

public sealed class EntityGroupTransactionTests
{
    [Fact]
    public void EnsureValid_TwoPartitionKeys_Throws()
    {
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity("p1", "a")),
            new(TableTransactionActionType.Add, new TableEntity("p2", "b")),
        };

        var error = Assert.Throws<InvalidOperationException>(() => EntityGroupTransaction.EnsureValid(actions));

        Assert.Contains("partitions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_101Entities_Throws()
    {
        var actions = Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}"))).ToList();

        Assert.Throws<InvalidOperationException>(() => EntityGroupTransaction.EnsureValid(actions));
        EntityGroupTransaction.EnsureValid(actions[..100]);
    }

    [Fact]
    public void EnsureValid_PropertyOver64KiB_Throws()
    {
        var entity = new TableEntity("p", "r") { ["C00"] = new byte[(64 * 1024) + 1] };

        Assert.Throws<InvalidOperationException>(() => EntityGroupTransaction.EnsureValid([new(TableTransactionActionType.Add, entity)]));
    }

    [Fact]
    public void EnsureValid_TypedEntityPropertyOver64KiB_Throws()
    {
        // A typed entity is measured by its properties too, not passed as if it had none.
        var header = new TranscriptHeader { PartitionKey = "p", Subjects = new string('s', 40 * 1024) };

        Assert.Throws<InvalidOperationException>(() => EntityGroupTransaction.EnsureValid([new(TableTransactionActionType.Add, header)]));
        EntityGroupTransaction.EnsureValid([new(TableTransactionActionType.Add, new TranscriptHeader { PartitionKey = "p", Subjects = new string('s', 30 * 1024) })]);
    }

    [Fact]
    public void EnsureValid_EntityOver1MiB_Throws()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 16; i++)
        {
            entity[$"C{i:D2}"] = new byte[64 * 1024];
        }

        Assert.Throws<InvalidOperationException>(() => EntityGroupTransaction.EnsureValid([new(TableTransactionActionType.Add, entity)]));
    }

    [Fact]
    public void EnsureValid_FiveFullDataRows_ThrowsForRequestSize()
    {
        // Full data rows are under 1 MiB each, but five of them are over 4 MiB together once base64-encoded.
        var actions = Enumerable.Range(0, 5).Select(row =>
        {
            var entity = new TableEntity("p", $"data-{row:D4}");
            for (var i = 0; i < TranscriptTableStore.ChunksPerRow; i++)
            {
                entity[$"C{i:D2}"] = new byte[64 * 1024];
            }

            return new TableTransactionAction(TableTransactionActionType.Add, entity);
        }).ToList();

        EntityGroupTransaction.EnsureValid(actions[..4]);
        Assert.Throws<InvalidOperationException>(() => EntityGroupTransaction.EnsureValid(actions));
    }
}
