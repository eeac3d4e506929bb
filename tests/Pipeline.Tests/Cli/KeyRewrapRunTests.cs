using System.Text;
using Azure.Data.Tables;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Keys;
using Pipeline.Azure.Transcripts;
using Pipeline.Cli.Keys;
using Pipeline.Cli.Transcripts;
using Pipeline.Core.Transcripts;
using Pipeline.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Pipeline.Cli.Local;

namespace Pipeline.Tests.Cli;

/// <summary><c>keys rewrap</c> and <c>transcripts get</c> through the classes they call, against Azurite.</summary>
public sealed class KeyRewrapRunTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("pipeline-cli-rewrap-").FullName;

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    [Fact]
    public async Task RunAsync_AfterRotate_StoppedThenResumed_LeavesEveryHeaderOnTheNewKidAndReadable()
    {
        var keys = LocalKeyFile.OpenOrCreate(Path.Combine(_keyDirectory, "local-kek.json"));
        var protector = new TranscriptProtector(keys, LocalKeyFile.KeyName, TranscriptCompression.Brotli);
        var store = new TranscriptTableStore(azurite.TableService);
        for (var i = 0; i < 5; i++)
        {
            await SeedAsync(store, protector, $"tr-{i}");
        }

        var v1 = keys.CurrentKeyId;
        var v2 = keys.Rotate();
        using var stop = new CancellationTokenSource();
        var reports = new List<RewrapTotals>();

        var stopped = await KeyRewrapRun.RunAsync(new TranscriptKeyWrapping(azurite.TableService), protector, _tenant, null, 2, new Reporter(t => { reports.Add(t); stop.Cancel(); }), stop.Token);
        var resumed = await KeyRewrapRun.RunAsync(new TranscriptKeyWrapping(azurite.TableService), protector, _tenant, stopped.ResumeToken, 2, null, TestContext.Current.CancellationToken);
        var again = await KeyRewrapRun.RunAsync(new TranscriptKeyWrapping(azurite.TableService), protector, _tenant, null, 2, null, TestContext.Current.CancellationToken);

        Assert.Equal((1, 2, 2, false), (stopped.Pages, stopped.Examined, stopped.Rewrapped, stopped.Finished));
        Assert.NotNull(stopped.ResumeToken);
        Assert.Equal([stopped], reports);
        Assert.Equal((3, 3, 0, true), (resumed.Examined, resumed.Rewrapped, resumed.AlreadyCurrent, resumed.Finished));
        Assert.Equal((5, 0, 5, true), (again.Examined, again.Rewrapped, again.AlreadyCurrent, again.Finished));
        Assert.Equal(5, await new TranscriptKeyWrapping(azurite.TableService).CountAsync(_tenant, TestContext.Current.CancellationToken));
        var reader = new TranscriptReader(store, protector, TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            var header = await azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
                .GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, $"tr-{i}"), TranscriptTableStore.HeaderRowKey, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(v2, header.Value.GetString("KeyId"));
            var read = await reader.ReadAsync(_tenant, $"tr-{i}", TestContext.Current.CancellationToken);
            Assert.Equal($"transcript {i}", Encoding.UTF8.GetString(read.Opened!.Plaintext!));
        }

        Assert.NotEqual(v1, v2);
    }

    [Fact]
    public async Task RunAsync_StoppedBeforeStart_ExaminesNothingAndIsNotFinished()
    {
        var keys = LocalKeyFile.OpenOrCreate(Path.Combine(_keyDirectory, "local-kek.json"));
        var protector = new TranscriptProtector(keys, LocalKeyFile.KeyName, TranscriptCompression.Brotli);

        var totals = await KeyRewrapRun.RunAsync(new TranscriptKeyWrapping(azurite.TableService), protector, _tenant, "resume-me", 10, null, new CancellationToken(canceled: true));

        Assert.Equal((0, false, "resume-me"), (totals.Examined, totals.Finished, totals.ResumeToken));
    }

    [Theory]
    [InlineData("acme", "acme", true)]
    [InlineData(null, null, true)]
    [InlineData("acme", "contoso", false)]
    [InlineData("acme", null, false)]
    [InlineData(null, "acme", false)]
    public void ResumeToken_DecodesOnlyForTheSameTenantFilter(string? written, string? read, bool decodes)
    {
        var token = RewrapResumeToken.Encode(written, "1!8!YWNtZV8x 1!8!aGVhZGVy");

        Assert.Equal(decodes ? "1!8!YWNtZV8x 1!8!aGVhZGVy" : null, RewrapResumeToken.TryDecode(read, token));
    }

    [Theory]
    [InlineData("garbage token")]
    [InlineData("rw1.")]
    [InlineData("rw1.YWNtZQ")]
    [InlineData("rw1.YWNtZQ.")]
    [InlineData("rw1.!!.YWNtZQ")]
    public void ResumeToken_Malformed_DecodesToNull(string text) =>
        Assert.Null(RewrapResumeToken.TryDecode("acme", text));

    [Fact]
    public async Task Open_LocalModeWithoutKeyFile_RefusesWithTheReason()
    {
        await using var services = CliServices.Build(CliConfiguration.Local(
            "UseDevelopmentStorage=true", ("Pipeline:KeyVault:LocalKeyFile", Path.Combine(_keyDirectory, "absent.json"))));

        var (transcripts, problem) = CliTranscripts.Open(services);

        Assert.Null(transcripts);
        Assert.Contains("No local key file", problem, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_keyDirectory, "absent.json")));
    }

    [Fact]
    public void Open_AzureModeWithoutKeyId_RefusesWithTheSettingName()
    {
        // Refused where the CLI builds its services, by the handler's own KeyVaultOptionsValidator.
        var failure = Assert.Throws<OptionsValidationException>(() => CliServices.Build(CliConfiguration.Local("UseDevelopmentStorage=true", ("Pipeline:Mode", "Azure"))));

        Assert.Contains(failure.Failures, f => f.Contains("Pipeline:KeyVault:KeyId", StringComparison.Ordinal));
    }

    private async Task SeedAsync(TranscriptTableStore store, TranscriptProtector protector, string transcriptId)
    {
        var sealedTranscript = await protector.ProtectAsync(new TranscriptContext(_tenant, transcriptId), Encoding.UTF8.GetBytes($"transcript {transcriptId[3..]}"), TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        await store.WriteAsync(new TranscriptRecord(_tenant, transcriptId, "evt-" + transcriptId, now, now.AddDays(30), []), sealedTranscript, TestContext.Current.CancellationToken);
    }

    private sealed class Reporter(Action<RewrapTotals> report) : IProgress<RewrapTotals>
    {
        public void Report(RewrapTotals value) => report(value);
    }
}
