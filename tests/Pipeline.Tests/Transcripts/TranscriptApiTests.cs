using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Transcripts;
using Pipeline.Host.Auth;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.KeyVault;

namespace Pipeline.Tests.Transcripts;

/// <summary>GET and DELETE /api/transcripts/{tenant}/{id} under RBAC, over real HTTP against Azurite.</summary>
public sealed class TranscriptApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Text = "Speaker 1: the Northwind merger closes on Friday.";
    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _oid = "oid-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("pipeline-transcripts-api-").FullName;
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>
    {
        ["Pipeline:KeyVault:LocalKeyFile"] = Path.Combine(_keyDirectory, "local-kek.json"),
    });

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_keyDirectory, recursive: true);
    }

    [Fact]
    public async Task Get_AuthorisedCaller_ReturnsTheTextAndAuditsTheOid()
    {
        await SeedAsync(_host, "tr-1");

        using var response = await SendAsync(_host, HttpMethod.Get, $"/api/transcripts/{_tenant}/tr-1", Token([CallerRoles.TranscriptsRead], [_tenant]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Body>(TestContext.Current.CancellationToken);
        Assert.Equal(("tr-1", "evt-tr-1", Text), (body!.TranscriptId, body.EventId, body.Transcript));
        var row = Assert.Single(await AuditAsync(AuditActions.TranscriptRead));
        Assert.Equal((_oid, "success", "tr-1"), (row.GetString("Actor"), row.GetString("Outcome"), row.GetString("ResourceId")));
        Assert.DoesNotContain(await AuditRows.ForTenantAsync(azurite, _tenant), r => r.Any(p => p.Value?.ToString()?.Contains("Northwind", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task GetAndDelete_WithoutToken_Are401()
    {
        await SeedAsync(_host, "tr-anon");

        using var get = await SendAsync(_host, HttpMethod.Get, $"/api/transcripts/{_tenant}/tr-anon", null);
        using var delete = await SendAsync(_host, HttpMethod.Delete, $"/api/transcripts/{_tenant}/tr-anon", null);

        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.DoesNotContain("Northwind", await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAndDelete_WrongRoleOrTenant_Are403AndLeaveTheTranscript()
    {
        await SeedAsync(_host, "tr-403");
        var path = $"/api/transcripts/{_tenant}/tr-403";

        using var deleteRoleReads = await SendAsync(_host, HttpMethod.Get, path, Token([CallerRoles.TranscriptsDelete, CallerRoles.AuditRead], [_tenant]));
        using var readRoleDeletes = await SendAsync(_host, HttpMethod.Delete, path, Token([CallerRoles.TranscriptsRead], [_tenant]));
        using var otherTenantReads = await SendAsync(_host, HttpMethod.Get, path, Token([CallerRoles.TranscriptsRead], ["someone-else"]));
        using var otherTenantDeletes = await SendAsync(_host, HttpMethod.Delete, path, Token([CallerRoles.Admin], ["someone-else"]));

        Assert.All([deleteRoleReads, readRoleDeletes, otherTenantReads, otherTenantDeletes], r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal("application/problem+json", otherTenantReads.Content.Headers.ContentType?.MediaType);
        Assert.True((await _host.Services.GetRequiredService<TranscriptReader>().ReadAsync(_tenant, "tr-403", TestContext.Current.CancellationToken)).Succeeded);
    }

    [Fact]
    public async Task Get_AnotherTenantsTranscriptId_Is404AndAudited()
    {
        var other = Secrets.NewTenant();
        await SeedAsync(_host, "tr-theirs", tenant: other);

        using var response = await SendAsync(_host, HttpMethod.Get, $"/api/transcripts/{_tenant}/tr-theirs", Token([CallerRoles.TranscriptsRead], [_tenant]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Northwind", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var row = Assert.Single(await AuditAsync(AuditActions.TranscriptRead));
        Assert.Equal((_oid, "not-found"), (row.GetString("Actor"), row.GetString("Outcome")));
    }

    [Fact]
    public async Task Delete_ThenRead_Is204Then404_NoRowLeftInThePartition_BothAudited()
    {
        await SeedAsync(_host, "tr-del", length: 1_500_000);
        var path = $"/api/transcripts/{_tenant}/tr-del";
        var token = Token([CallerRoles.TranscriptsRead, CallerRoles.TranscriptsDelete], [_tenant]);
        Assert.True((await PartitionRowsAsync(_tenant, "tr-del")).Count > 2);

        using var deleted = await SendAsync(_host, HttpMethod.Delete, path, token);
        using var read = await SendAsync(_host, HttpMethod.Get, path, token);
        using var deletedAgain = await SendAsync(_host, HttpMethod.Delete, path, token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Empty(await PartitionRowsAsync(_tenant, "tr-del"));
        Assert.Equal(["not-found", "success"], (await AuditAsync(AuditActions.TranscriptDeleted)).Select(r => r.GetString("Outcome")).Order());
        Assert.All(await AuditAsync(AuditActions.TranscriptDeleted), r => Assert.Equal(_oid, r.GetString("Actor")));
        Assert.Equal("not-found", Assert.Single(await AuditAsync(AuditActions.TranscriptRead)).GetString("Outcome"));
    }

    [Fact]
    public async Task Get_ChunkTampered_Is422ProblemWithoutPlaintext_AndAuditedAsFailure()
    {
        await SeedAsync(_host, "tr-t");
        var table = azurite.TableService.GetTableClient(TranscriptTableStore.TableName);
        var row = (await table.GetEntityAsync<TableEntity>(TranscriptTableStore.PartitionFor(_tenant, "tr-t"), "data-0000", cancellationToken: TestContext.Current.CancellationToken)).Value;
        var chunk = row.GetBinary("C00");
        chunk[^1] ^= 1;
        row["C00"] = chunk;
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        using var response = await SendAsync(_host, HttpMethod.Get, $"/api/transcripts/{_tenant}/tr-t", Token([CallerRoles.TranscriptsRead], [_tenant]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("urn:pipeline:problem:transcripts:integrity-failure", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Northwind", body, StringComparison.Ordinal);
        var audit = Assert.Single(await AuditAsync(AuditActions.TranscriptRead));
        Assert.Equal(("failure", nameof(TranscriptOpenFailure.Tampered)), (audit.GetString("Outcome"), audit.GetString("Detail_failure")));
    }

    [Theory]
    [InlineData("jane.doe@example.com")]
    [InlineData("Jane Doe")]
    [InlineData("415-555-0199")]
    [InlineData("-starts-with-dash")]
    [InlineData("tr%2F1")]
    public async Task GetAndDelete_RouteValueThatIsNoTranscriptId_Is400_AuditedWithoutTheValue(string value)
    {
        var token = Token([CallerRoles.TranscriptsRead, CallerRoles.TranscriptsDelete], [_tenant]);
        var path = $"/api/transcripts/{_tenant}/{Uri.EscapeDataString(value)}";

        using var get = await SendAsync(_host, HttpMethod.Get, path, token);
        using var delete = await SendAsync(_host, HttpMethod.Delete, path, token);

        foreach (var response in new[] { get, delete })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("urn:pipeline:problem:transcripts:bad-id", body, StringComparison.Ordinal);
            Assert.DoesNotContain(value, body, StringComparison.OrdinalIgnoreCase);
        }

        var rows = await AuditRows.ForTenantAsync(azurite, _tenant);
        Assert.Equal(
            [(AuditActions.TranscriptDeleted, "invalid-id"), (AuditActions.TranscriptRead, "invalid-id")],
            rows.Select(r => (r.GetString("Action"), r.GetString("Outcome"))).Order());
        Assert.All(rows, r => Assert.Null(r.GetString("ResourceId")));
        Assert.DoesNotContain(rows, r => r.Any(p => p.Value?.ToString()?.Contains(value, StringComparison.OrdinalIgnoreCase) == true));
    }

    [Fact]
    public async Task Get_SealedRowsCopiedUnderAnotherId_FailIntegrity_TheRequestedIdIsBound()
    {
        await SeedAsync(_host, "tr-orig");
        var table = azurite.TableService.GetTableClient(TranscriptTableStore.TableName);
        foreach (var row in await PartitionRowsAsync(_tenant, "tr-orig"))
        {
            row.PartitionKey = TranscriptTableStore.PartitionFor(_tenant, "tr-copy");
            await table.UpsertEntityAsync(row, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        }

        using var response = await SendAsync(_host, HttpMethod.Get, $"/api/transcripts/{_tenant}/tr-copy", Token([CallerRoles.TranscriptsRead], [_tenant]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.DoesNotContain("Northwind", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnderKeyVault_OneUnwrapPerRead()
    {
        await using var vault = await LoopbackKeyVault.StartAsync();
        var resolver = new KeyVaultKeyResolver(vault.CreateClient(new RecordingCredential()), TimeProvider.System);
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>(), services => services.AddSingleton<IKeyEncryptionKeyResolver>(resolver));
        await SeedAsync(host, "tr-kv", protector: new TranscriptProtector(resolver, vault.VersionlessKeyId, TranscriptCompression.Brotli));
        var token = Token([CallerRoles.TranscriptsRead], [_tenant]);

        for (var i = 1; i <= 3; i++)
        {
            using var response = await SendAsync(host, HttpMethod.Get, $"/api/transcripts/{_tenant}/tr-kv", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(i, vault.UnwrapCalls);
        }

        Assert.Equal(1, vault.GetKeyCalls);
    }

    private string Token(string[] roles, string[] tenants) =>
        LocalTokens.Mint(TestHost.LocalSigningKey, _oid, roles, tenants, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

    private async Task SeedAsync(TestHost host, string transcriptId, string? tenant = null, int length = 0, TranscriptProtector? protector = null)
    {
        tenant ??= _tenant;
        // Random text does not compress, so a long one spans several data rows.
        var text = length == 0 ? Text : Text + Convert.ToBase64String(RandomNumberGenerator.GetBytes(length))[..length];
        protector ??= host.Services.GetRequiredService<TranscriptProtector>();
        var sealedTranscript = await protector.ProtectAsync(new TranscriptContext(tenant, transcriptId), Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        var record = new TranscriptRecord(tenant, transcriptId, "evt-" + transcriptId, now, now.AddDays(30), ["pseudonym-1"]);
        Assert.Equal(TranscriptWriteOutcome.Stored, await host.Services.GetRequiredService<TranscriptTableStore>().WriteAsync(record, sealedTranscript, TestContext.Current.CancellationToken));
    }

    private static async Task<HttpResponseMessage> SendAsync(TestHost host, HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<List<TableEntity>> AuditAsync(string action) =>
        (await AuditRows.ForTenantAsync(azurite, _tenant)).Where(r => r.GetString("Action") == action).ToList();

    private async Task<List<TableEntity>> PartitionRowsAsync(string tenant, string transcriptId)
    {
        var partition = TranscriptTableStore.PartitionFor(tenant, transcriptId);
        var rows = new List<TableEntity>();
        await foreach (var row in azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private sealed record Body(string TranscriptId, string EventId, string Transcript);
}
