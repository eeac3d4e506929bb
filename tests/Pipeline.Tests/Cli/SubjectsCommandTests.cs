using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
using Pipeline.Cli.Subjects;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Transcripts;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Cli;

/// <summary><c>subjects export</c> and <c>subjects erase</c> straight against Azurite with a Local mode key file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SubjectsCommandTests(AzuriteFixture azurite) : IDisposable
{
    private const string Subject = "grace@example.org";
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-cli-subjects-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ExportThenErase_StoredTranscript_ExportsToPrivateFileThenShredsAndAudits()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var keyFile = Path.Combine(_directory, "local-kek.json");
        var pseudonymKey = Secrets.NewSecret();
        var options = CliConfiguration.Local(azurite.ConnectionString, ("Pipeline:KeyVault:LocalKeyFile", keyFile), ("Pipeline:Audit:PseudonymKey", pseudonymKey));
        var pseudonym = Pseudonyms.Of(pseudonymKey, Subject);
        var protector = new TranscriptProtector(LocalKeyFile.OpenOrCreate(keyFile), LocalKeyFile.KeyName, TranscriptCompression.Brotli);
        var store = new TranscriptTableStore(azurite.TableService);
        var now = DateTimeOffset.UtcNow;
        var sealedTranscript = await protector.ProtectAsync(new TranscriptContext(tenant, "tr-cli-1"), Encoding.UTF8.GetBytes("Grace: ship it."), cancellationToken);
        await store.WriteAsync(new TranscriptRecord(tenant, "tr-cli-1", "evt-cli-1", now, now.AddDays(90), [pseudonym]), sealedTranscript, cancellationToken);
        var exportFile = Path.Combine(_directory, "export.json");
        var afterFile = Path.Combine(_directory, "after.json");

        var exported = await SubjectsCommand.ExportAsync(options, tenant, Subject, exportFile, cancellationToken);
        var erased = await SubjectsCommand.EraseAsync(options, tenant, Subject, cancellationToken);
        var exportedAfter = await SubjectsCommand.ExportAsync(options, tenant, Subject, afterFile, cancellationToken);

        Assert.Equal((0, 0, 0), (exported, erased, exportedAfter));
        var before = File.ReadAllText(exportFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exportFile));
        Assert.Equal("Grace: ship it.", (string?)Assert.Single(JsonNode.Parse(before)!["transcripts"]!.AsArray())!["text"]);
        Assert.DoesNotContain(Subject, before, StringComparison.Ordinal);
        Assert.Null(await store.ReadAsync(tenant, "tr-cli-1", cancellationToken));
        Assert.Empty(await store.Subjects.FindAsync(tenant, pseudonym, cancellationToken));
        var after = JsonNode.Parse(File.ReadAllText(afterFile))!;
        Assert.Empty(after["transcripts"]!.AsArray());
        var erasure = Assert.Single(after["audit"]!.AsArray(), row => (string?)row!["action"] == AuditActions.SubjectErased)!;
        Assert.StartsWith("cli:", (string?)erasure["actor"], StringComparison.Ordinal);
        Assert.Equal("1", (string?)erasure["details"]!["transcriptsErased"]);
        Assert.Single(after["audit"]!.AsArray(), row => (string?)row!["action"] == AuditActions.SubjectExported);
    }

    [Fact]
    public async Task Export_WithoutPseudonymKey_Is2AndWritesNothing()
    {
        var exportFile = Path.Combine(_directory, "export.json");

        var code = await SubjectsCommand.ExportAsync(CliConfiguration.Local(azurite.ConnectionString, ("Pipeline:Audit:PseudonymKey", null)), Secrets.NewTenant(), Subject, exportFile, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.False(File.Exists(exportFile));
    }

    [Fact]
    public async Task Erase_AzureModeWithoutVersionlessKeyId_Is2()
    {
        var options = CliConfiguration.Local(
            azurite.ConnectionString,
            ("Pipeline:Mode", "Azure"),
            ("Pipeline:KeyVault:KeyId", "https://vault.example.net/keys/kek/0123456789abcdef"));

        var code = await SubjectsCommand.EraseAsync(options, Secrets.NewTenant(), Subject, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
    }
}
