using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Retention;

public sealed class AuditRetentionPurgerTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Cutoff = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static AuditEntry Row(string tenant, DateTimeOffset at, string id) =>
        new(tenant, at, AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", id, id, null, new Dictionary<string, string>());

    private async Task WriteAsync(params AuditEntry[] rows)
    {
        var writer = azurite.AuditWriter();
        foreach (var row in rows)
        {
            await writer.WriteAsync(row, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Purge_AtTheBoundary_DeletesOnlyRowsStrictlyBeforeTheCutoff_AndOnlyThatTenants()
    {
        var tenant = Secrets.NewTenant();
        var neighbour = tenant + "x";
        await WriteAsync(
            Row(tenant, Cutoff.AddDays(-40), "old"),
            Row(tenant, Cutoff.AddTicks(-1), "one-tick-before"),
            Row(tenant, Cutoff, "at-the-limit"),
            Row(tenant, Cutoff.AddTicks(1), "one-tick-after"),
            Row(tenant, Cutoff.AddDays(1), "tomorrow"),
            Row(neighbour, Cutoff.AddDays(-10), "neighbour"));

        var result = await new AuditRetentionPurger(azurite.TableService).PurgeAsync(tenant, Cutoff, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new PurgeResult(2, Finished: true), result);
        var left = (await AuditRows.ForTenantAsync(azurite, tenant)).Select(r => r.GetString("EventId")).Order(StringComparer.Ordinal);
        Assert.Equal(["at-the-limit", "one-tick-after", "tomorrow"], left);
        Assert.Single(await AuditRows.ForTenantAsync(azurite, neighbour));
    }

    [Fact]
    public async Task Purge_DryRun_CountsWithoutDeleting()
    {
        var tenant = Secrets.NewTenant();
        await WriteAsync([.. Enumerable.Range(0, 130).Select(i => Row(tenant, Cutoff.AddDays(-3).AddSeconds(i), $"r{i}"))]);

        var result = await new AuditRetentionPurger(azurite.TableService).PurgeAsync(tenant, Cutoff, dryRun: true, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new PurgeResult(130, Finished: true), result);
        Assert.Equal(130, (await AuditRows.ForTenantAsync(azurite, tenant)).Count);
    }

    [Fact]
    public async Task Purge_OutOfBudget_StopsBetweenTransactions_AndTheNextRunFinishes()
    {
        var tenant = Secrets.NewTenant();
        await WriteAsync([.. Enumerable.Range(0, 250).Select(i => Row(tenant, Cutoff.AddDays(-3).AddSeconds(i), $"r{i}"))]);
        var purger = new AuditRetentionPurger(azurite.TableService);

        var first = await purger.PurgeAsync(tenant, Cutoff, outOfTime: () => true, cancellationToken: TestContext.Current.CancellationToken);
        var afterFirst = (await AuditRows.ForTenantAsync(azurite, tenant)).Count;
        var second = await purger.PurgeAsync(tenant, Cutoff, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new PurgeResult(100, Finished: false), first);
        Assert.Equal(150, afterFirst);
        Assert.Equal(new PurgeResult(150, Finished: true), second);
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
    }

    [Fact]
    public async Task Purge_TwoOverlappingRuns_DeleteEachRowOnceAndCountHonestly()
    {
        var tenant = Secrets.NewTenant();
        await WriteAsync([.. Enumerable.Range(0, 120).Select(i => Row(tenant, Cutoff.AddDays(-2).AddSeconds(i), $"r{i}"))]);
        var gate = new FirstTransactionGate();
        var options = new TableClientOptions();
        options.AddPolicy(gate, HttpPipelinePosition.PerCall);

        // The first run has read the expired rows and holds its first transaction; the second runs to the end meanwhile.
        var first = new AuditRetentionPurger(new TableServiceClient(azurite.ConnectionString, options)).PurgeAsync(tenant, Cutoff, cancellationToken: TestContext.Current.CancellationToken);
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var second = await new AuditRetentionPurger(azurite.TableService).PurgeAsync(tenant, Cutoff, cancellationToken: TestContext.Current.CancellationToken);
        gate.Release();
        var counts = new[] { await first, second };

        Assert.Equal(120, counts.Sum(c => c.Rows));
        Assert.All(counts, c => Assert.True(c.Finished));
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
    }

    /// <summary>Holds the first entity-group transaction ($batch) a client sends until released.</summary>
    private sealed class FirstTransactionGate : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _transactions;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The purger only calls storage asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Increment(ref _transactions) == 1)
            {
                Reached.TrySetResult();
                await _release.Task;
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    [Fact]
    public async Task Purge_WholeExpiredDays_TakeTheirChainHeadAlong_WithoutCountingIt()
    {
        var tenant = Secrets.NewTenant();
        await WriteAsync(Row(tenant, Cutoff.AddDays(-5), "old-1"), Row(tenant, Cutoff.AddDays(-5).AddMinutes(1), "old-2"), Row(tenant, Cutoff.AddHours(-1), "same-day"));
        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var oldDay = AuditEntry.PartitionFor(tenant, Cutoff.AddDays(-5));
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>(oldDay, AuditChain.HeadRowKey, cancellationToken: TestContext.Current.CancellationToken)).HasValue);

        var result = await new AuditRetentionPurger(azurite.TableService).PurgeAsync(tenant, Cutoff, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new PurgeResult(3, Finished: true), result);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(oldDay, AuditChain.HeadRowKey, cancellationToken: TestContext.Current.CancellationToken)).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>(AuditEntry.PartitionFor(tenant, Cutoff), AuditChain.HeadRowKey, cancellationToken: TestContext.Current.CancellationToken)).HasValue);
    }
}
