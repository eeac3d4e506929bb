using System.Text.Json;
using Azure.Data.Tables;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Retention;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Transcripts;
using Pipeline.Tests.Infrastructure;
using Pipeline.Core.Audit;

namespace Pipeline.Tests.Retention;

/// <summary>Transcript expiry: crypto-shredding through the expiry index, against Azurite.</summary>
public sealed class TranscriptRetentionPurgerTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Received = new(2026, 5, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = Received.AddDays(30);
    private static readonly Lazy<LocalKeyFile> Keys = new(() =>
        LocalKeyFile.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory("pipeline-retention-").FullName, "local-kek.json")));

    private readonly string _tenant = Secrets.NewTenant();

    private async Task StoreAsync(params string[] transcriptIds)
    {
        var options = new PipelineOptions();
        options.Tenants[_tenant] = new TenantOptions { Privacy = new PrivacyOptions { TranscriptRetentionDays = 30 } };
        var handler = new EncryptTranscriptHandler(
            new TranscriptProtector(Keys.Value, LocalKeyFile.KeyName, TranscriptCompression.Brotli),
            new TranscriptTableStore(azurite.TableService),
            azurite.AuditWriter(),
            options,
            new AuditOptions { PseudonymKey = Secrets.NewSecret() });
        foreach (var id in transcriptIds)
        {
            var payload = JsonSerializer.SerializeToElement(new
            {
                id = $"tm-{id}",
                type = "transcript.completed",
                data = new { transcript_id = id, meeting_id = "m", consent = true, transcript = "Hello there.", language = "en", participants = new[] { new { name = "Jane", email = "jane@example.com" } } },
            });
            var outcome = await handler.HandleAsync(
                new PipelineEvent(EventIds.Derive("twinmind", _tenant, id), "twinmind", _tenant, "transcript.completed", id, Received, true, payload),
                TestContext.Current.CancellationToken);
            Assert.Equal(TranscriptHandlingOutcome.Stored, outcome.Outcome);
        }
    }

    private TranscriptRetentionPurger Purger() => new(new TranscriptTableStore(azurite.TableService));

    private async Task<int> RowsAsync(string table)
    {
        var count = 0;
        await foreach (var row in azurite.TableService.GetTableClient(table).QueryAsync<TableEntity>(
            e => e.PartitionKey.CompareTo(_tenant + "_") > 0 && e.PartitionKey.CompareTo(_tenant + "_~") < 0, cancellationToken: TestContext.Current.CancellationToken))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task Purge_OneTickBeforeExpiry_KeepsEverything_AtExpiry_ShredsTranscriptAndIndexes()
    {
        await StoreAsync("t-1", "t-2");
        var store = new TranscriptTableStore(azurite.TableService);

        var early = await Purger().PurgeAsync(_tenant, Expiry.AddTicks(-1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(new PurgeResult(0, Finished: true), early);
        Assert.NotNull(await store.ReadAsync(_tenant, "t-1", TestContext.Current.CancellationToken));

        var dryRun = await Purger().PurgeAsync(_tenant, Expiry, dryRun: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(new PurgeResult(2, Finished: true), dryRun);
        Assert.NotNull(await store.ReadAsync(_tenant, "t-1", TestContext.Current.CancellationToken));

        var due = await Purger().PurgeAsync(_tenant, Expiry, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(new PurgeResult(2, Finished: true), due);
        Assert.Null(await store.ReadAsync(_tenant, "t-1", TestContext.Current.CancellationToken));
        Assert.Equal(0, await RowsAsync(TranscriptTableStore.TableName));
        Assert.Equal(0, await RowsAsync(TranscriptSubjectIndex.TableName));

        var again = await Purger().PurgeAsync(_tenant, Expiry.AddDays(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(new PurgeResult(0, Finished: true), again);
    }

    [Fact]
    public async Task Purge_RunCutOffAfterTheHeader_NextRunCleansTheRestWithoutCountingIt()
    {
        await StoreAsync("t-cut");
        var partition = TranscriptTableStore.PartitionFor(_tenant, "t-cut");
        await azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .DeleteEntityAsync(partition, TranscriptTableStore.HeaderRowKey, cancellationToken: TestContext.Current.CancellationToken);

        var result = await Purger().PurgeAsync(_tenant, Expiry, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new PurgeResult(0, Finished: true), result);
        Assert.Equal(0, await RowsAsync(TranscriptTableStore.TableName));
        var expiryRows = 0;
        await foreach (var _ in azurite.TableService.GetTableClient(TranscriptExpiryIndex.TableName).QueryAsync<TableEntity>(
            e => e.RowKey == partition, cancellationToken: TestContext.Current.CancellationToken))
        {
            expiryRows++;
        }

        Assert.Equal(0, expiryRows);
    }

    [Fact]
    public async Task Purge_OutOfBudget_StopsBetweenTranscripts()
    {
        await StoreAsync("b-1", "b-2", "b-3");

        var first = await Purger().PurgeAsync(_tenant, Expiry, outOfTime: () => true, cancellationToken: TestContext.Current.CancellationToken);
        var second = await Purger().PurgeAsync(_tenant, Expiry, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new PurgeResult(0, Finished: false), first);
        Assert.Equal(new PurgeResult(3, Finished: true), second);
    }
}
