using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Transcripts;

/// <summary>A signed TwinMind webhook through the real handler, queue and dispatcher into the encrypted store.</summary>
public sealed class TranscriptPipelineTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3_000)] // about 200 KB: a long meeting, larger than an Azurite queue message until compressed
    public async Task TwinMindTranscriptWebhook_IsEncryptedStoredAndReadable(int lines)
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        var keyDirectory = Directory.CreateTempSubdirectory("pipeline-e2e-keys-").FullName;
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = secret,
            ["Pipeline:KeyVault:LocalKeyFile"] = Path.Combine(keyDirectory, "local-kek.json"),
            ["Pipeline:Audit:PseudonymKey"] = Secrets.NewSecret(),
        });
        var text = string.Join('\n', Enumerable.Range(0, lines).Select(i =>
            $"Speaker {1 + (i % 4)}: point {i} - let us close the Fabrikam renewal this quarter, budget line {i * 37 % 1000}."));
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = "tm-evt-e2e-1",
            ["type"] = "transcript.completed",
            ["created_at"] = "2026-11-22T10:00:00Z",
            ["data"] = new JsonObject
            {
                ["transcript_id"] = "tr-e2e-1",
                ["consent"] = true,
                ["meeting_id"] = "m-e2e-1",
                ["transcript"] = text,
                ["language"] = "en",
                ["participants"] = new JsonArray(new JsonObject { ["name"] = "Ada Lovelace", ["email"] = "ada@example.org" }),
            },
        }.ToJsonString());
        using var request = Signing.TwinMind(tenant, secret, body);

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var reader = host.Services.GetRequiredService<TranscriptReader>();
        var read = await Eventually.GetAsync(
            async () => await reader.ReadAsync(tenant, "tr-e2e-1", TestContext.Current.CancellationToken) is { Found: true } found ? found : null,
            "the stored transcript");

        Assert.True(read.Succeeded, read.Opened?.Reason);
        Assert.Equal(text, Encoding.UTF8.GetString(read.Opened!.Plaintext!));
        var rows = new List<TableEntity>();
        await foreach (var row in azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .QueryAsync<TableEntity>(e => e.PartitionKey == TranscriptTableStore.PartitionFor(tenant, "tr-e2e-1"), cancellationToken: TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        var stored = string.Join("|", rows.SelectMany(row => row.Select(p => p.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : p.Value?.ToString())));
        Assert.DoesNotContain("Fabrikam", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.org", stored, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(keyDirectory, "local-kek.json")));
        var audit = await Eventually.GetAsync(
            async () => (await AuditRows.ForTenantAsync(azurite, tenant)).Find(row => row.GetString("Action") == AuditActions.TranscriptStored),
            "the transcript.stored audit row");
        Assert.Equal("success", audit.GetString("Outcome"));
        Directory.Delete(keyDirectory, recursive: true);
    }
}
