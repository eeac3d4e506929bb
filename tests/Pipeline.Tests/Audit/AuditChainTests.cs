using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Audit;

/// <summary>Tamper evidence over real Azurite: the writer chains rows, the verifier finds the first break.</summary>
public sealed class AuditChainTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Day = new(2026, 4, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = AuditChain.DeriveKey(Secrets.NewSecret());

    private TableClient Table => azurite.TableService.GetTableClient(AuditTableWriter.TableName);

    private static AuditEntry Entry(string tenant, int i, DateTimeOffset? at = null) => new(
        tenant, at ?? Day.AddMinutes(i), AuditActions.EventAccepted, "success", "vendor:standard", "event", $"e{i}", $"e{i}", null,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private async Task<(string Tenant, List<TableEntity> Rows)> SeedAsync(int count)
    {
        var tenant = Secrets.NewTenant();
        var writer = new AuditTableWriter(azurite.TableService, Key);
        for (var i = 0; i < count; i++)
        {
            await writer.WriteAsync(Entry(tenant, i), TestContext.Current.CancellationToken);
        }

        return (tenant, await AuditRows.ForTenantAsync(azurite, tenant));
    }

    private Task<ChainReport> VerifyAsync(string tenant) =>
        new AuditChainVerifier(azurite.TableService, Key).VerifyAsync(tenant, Day.AddDays(-1), Day.AddDays(1), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Verify_Untouched_ReportsNoBreak()
    {
        var (tenant, rows) = await SeedAsync(5);

        var report = await VerifyAsync(tenant);

        Assert.Null(report.Break);
        Assert.Equal(5, report.Rows);
        Assert.Equal(1, report.Partitions);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), rows.Select(r => r.GetInt64(AuditChain.Seq)!.Value).Order());
    }

    [Fact]
    public async Task Verify_RowDeleted_ReportsTheGap()
    {
        var (tenant, rows) = await SeedAsync(5);
        var victim = rows.Single(r => r.GetInt64(AuditChain.Seq) == 3);
        await Table.DeleteEntityAsync(victim.PartitionKey, victim.RowKey, cancellationToken: TestContext.Current.CancellationToken);

        var report = await VerifyAsync(tenant);

        Assert.NotNull(report.Break);
        Assert.Equal(4, report.Break.Seq);
        Assert.Contains("missing", report.Break.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LastRowDeleted_ReportsTheHead()
    {
        var (tenant, rows) = await SeedAsync(3);
        var last = rows.Single(r => r.GetInt64(AuditChain.Seq) == 3);
        await Table.DeleteEntityAsync(last.PartitionKey, last.RowKey, cancellationToken: TestContext.Current.CancellationToken);

        var report = await VerifyAsync(tenant);

        Assert.Equal(AuditChain.HeadRowKey, report.Break?.RowKey);
    }

    [Fact]
    public async Task Verify_RowEdited_ReportsThatRow()
    {
        var (tenant, rows) = await SeedAsync(4);
        var victim = rows.Single(r => r.GetInt64(AuditChain.Seq) == 2);
        victim["Outcome"] = "failure";
        await Table.UpdateEntityAsync(victim, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var report = await VerifyAsync(tenant);

        Assert.Equal(victim.RowKey, report.Break?.RowKey);
        Assert.Contains("MAC", report.Break!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RowsReordered_IsDetected()
    {
        // Swap the sequence numbers (and links) of two rows: the order the chain records is changed.
        var (tenant, rows) = await SeedAsync(4);
        var second = rows.Single(r => r.GetInt64(AuditChain.Seq) == 2);
        var third = rows.Single(r => r.GetInt64(AuditChain.Seq) == 3);
        (second[AuditChain.Seq], third[AuditChain.Seq]) = (3L, 2L);
        (second[AuditChain.Prev], third[AuditChain.Prev]) = (third[AuditChain.Prev], second[AuditChain.Prev]);
        await Table.UpdateEntityAsync(second, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        await Table.UpdateEntityAsync(third, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var report = await VerifyAsync(tenant);

        Assert.NotNull(report.Break);
        Assert.Equal(2, report.Break.Seq);
    }

    [Fact]
    public async Task Verify_RowMovedToAnotherTime_IsDetected()
    {
        // Re-key a row (delete and insert it with another time-ordered RowKey, all chain fields copied).
        var (tenant, rows) = await SeedAsync(3);
        var victim = rows.Single(r => r.GetInt64(AuditChain.Seq) == 1);
        await Table.DeleteEntityAsync(victim.PartitionKey, victim.RowKey, cancellationToken: TestContext.Current.CancellationToken);
        var moved = new TableEntity(victim) { RowKey = AuditEntry.RowKeyPrefix(Day.AddHours(20)) + "_e0_event.accepted" };
        await Table.AddEntityAsync(moved, TestContext.Current.CancellationToken);

        var report = await VerifyAsync(tenant);

        Assert.Equal(moved.RowKey, report.Break?.RowKey);
    }

    [Fact]
    public async Task Verify_OtherKey_FailsOnTheFirstRow()
    {
        var (tenant, _) = await SeedAsync(2);

        var report = await new AuditChainVerifier(azurite.TableService, AuditChain.DeriveKey(Secrets.NewSecret()))
            .VerifyAsync(tenant, Day, Day, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Break?.Seq);
    }

    [Fact]
    public async Task Write_ConcurrentWritersAndRedelivery_OneUnbrokenChain()
    {
        var tenant = Secrets.NewTenant();
        var writers = Enumerable.Range(0, 4).Select(_ => new AuditTableWriter(azurite.TableService, Key)).ToArray();

        // 40 rows from 4 writers at once, every row delivered twice.
        await Parallel.ForEachAsync(Enumerable.Range(0, 80), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken },
            async (i, cancellationToken) => await writers[i % 4].WriteAsync(Entry(tenant, i % 40), cancellationToken));

        var report = await VerifyAsync(tenant);
        Assert.Null(report.Break);
        Assert.Equal(40, report.Rows);
        Assert.Equal(40, (await AuditRows.ForTenantAsync(azurite, tenant)).Count);
    }

    [Fact]
    public async Task Write_ManyConcurrentCallersOfOneWriter_CommittedTogetherWithoutRacingForTheHead()
    {
        var tenant = Secrets.NewTenant();
        var writer = new AuditTableWriter(azurite.TableService, Key);

        // 64 callers at once on one partition, as one process's concurrent invocations are; 10 rows delivered twice.
        await Task.WhenAll(Enumerable.Range(0, 74).Select(i => Task.Run(() => writer.WriteAsync(Entry(tenant, i % 64), TestContext.Current.CancellationToken))));

        var report = await VerifyAsync(tenant);
        Assert.Null(report.Break);
        Assert.Equal(64, report.Rows);
        Assert.Equal(0, writer.ConflictsRetried); // One drain per partition in a process: nobody else moves the head.
    }

    [Fact]
    public async Task WriteBatch_ManyRowsSeveralDays_TransactionsPerPartitionAndRedeliveryAddsNothing()
    {
        var tenant = Secrets.NewTenant();
        var writer = new AuditTableWriter(azurite.TableService, Key);
        var entries = Enumerable.Range(0, 250).Select(i => Entry(tenant, i, Day.AddMinutes(i * 9))).ToList(); // spans two days
        Assert.Equal(2, entries.Select(e => e.PartitionKey).Distinct().Count());

        await writer.WriteBatchAsync(entries, TestContext.Current.CancellationToken);
        await writer.WriteBatchAsync(entries.Where((_, i) => i % 3 == 0).Append(Entry(tenant, 999, Day.AddHours(3))).ToList(), TestContext.Current.CancellationToken);

        var report = await VerifyAsync(tenant);
        Assert.Null(report.Break);
        Assert.Equal(251, report.Rows);
        Assert.Equal(2, report.Partitions);
    }

    [Fact]
    public async Task Query_SkipsTheHeadRow()
    {
        var (tenant, _) = await SeedAsync(2);

        var page = await new AuditTableReader(azurite.TableService).QueryAsync(
            new AuditQuery(tenant, Day, Day.AddDays(1), null, null, 100, null), TestContext.Current.CancellationToken);

        Assert.Equal(["e0", "e1"], page.Items.Select(i => i.EventId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void DeriveKey_WithoutPseudonymKey_RefusesRatherThanUseAKeyAnyoneCanCompute(string? pseudonymKey)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => AuditChain.DeriveKey(pseudonymKey));
        Assert.Contains("Pipeline:Audit:PseudonymKey", refused.Message, StringComparison.Ordinal);
    }
}
