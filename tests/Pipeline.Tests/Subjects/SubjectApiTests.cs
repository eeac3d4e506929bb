using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Host.Auth;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Subjects;

/// <summary>GDPR export and erasure (SPEC §3, §3.3) over real HTTP, after a real TwinMind webhook, against Azurite.</summary>
public sealed class SubjectApiTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private const string Subject = "Ada.Lovelace@Example.org";
    private const string Text = "Speaker 1: let us close the Fabrikam renewal this quarter.";

    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("pipeline-subjects-keys-").FullName;
    private readonly CapturedLogs _logs = new();

    private static string Pseudonym => Pseudonyms.Of(TestHost.PseudonymKey, Subject);

    private static string Token(string oid, string[] roles, string[] tenants) =>
        LocalTokens.Mint(TestHost.LocalSigningKey, oid, roles, tenants, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_keyDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private Task<TestHost> StartAsync(string tenant, string secret) => TestHost.StartAsync(azurite, new Dictionary<string, string?>
    {
        [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = secret,
        ["Pipeline:KeyVault:LocalKeyFile"] = Path.Combine(_keyDirectory, "local-kek.json"),
    }, services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs));

    /// <summary>
    /// Runs <paramref name="wait"/>; when it fails, writes the hosts' warnings and errors to the test's output first
    /// (a rare timeout in a full run did not reproduce on its own: the next one says what the consumers did).
    /// </summary>
    private async Task<T> WithLogsOnFailureAsync<T>(Func<Task<T>> wait)
    {
        try
        {
            return await wait();
        }
        catch (Exception) when (TestContext.Current.TestOutputHelper is { } output)
        {
            foreach (var entry in _logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning))
            {
                output.WriteLine($"{entry.Level} {entry.Category}[{entry.EventId}] {entry.Message} {entry.Exception?.GetType().Name}");
            }

            throw;
        }
    }

    /// <summary>Sends a signed transcript.completed naming the subject (by their email) and waits until it is stored.</summary>
    private static async Task StoreTranscriptAsync(TestHost host, string tenant, string secret, string transcriptId)
    {
        using var response = await SendTranscriptAsync(host, tenant, secret, transcriptId);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var reader = host.Services.GetRequiredService<TranscriptReader>();
        await Eventually.GetAsync(
            async () => await reader.ReadAsync(tenant, transcriptId, TestContext.Current.CancellationToken) is { Found: true } found ? found : null,
            "the stored transcript");
    }

    /// <summary>Posts the signed transcript.completed (the same bytes for the same id every time).</summary>
    private static async Task<HttpResponseMessage> SendTranscriptAsync(TestHost host, string tenant, string secret, string transcriptId)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = "evt-" + transcriptId,
            ["type"] = "transcript.completed",
            ["created_at"] = "2026-11-22T10:00:00Z",
            ["data"] = new JsonObject
            {
                ["transcript_id"] = transcriptId,
                ["consent"] = true,
                ["meeting_id"] = "m-" + transcriptId,
                ["transcript"] = Text,
                ["language"] = "en",
                ["participants"] = new JsonArray(
                    new JsonObject { ["name"] = "Ada Lovelace", ["email"] = "ada.lovelace@example.org" },
                    new JsonObject { ["name"] = "Charles Babbage", ["email"] = "charles@example.org" }),
            },
        }.ToJsonString());
        using var request = Signing.TwinMind(tenant, secret, body);
        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
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

    private static string ExportPath(string tenant) => $"/api/subjects/{tenant}/{Uri.EscapeDataString(Subject)}/export";

    private static string ErasePath(string tenant) => $"/api/subjects/{tenant}/{Uri.EscapeDataString(Subject)}";

    private static async Task<(JsonObject Document, string Raw)> ExportAsync(TestHost host, string tenant, string token)
    {
        using var response = await SendAsync(host, HttpMethod.Get, ExportPath(tenant), token);
        var raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (JsonNode.Parse(raw)!.AsObject(), raw);
    }

    private static void AssertNoRawSubject(string text)
    {
        Assert.DoesNotContain("ada.lovelace@example.org", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Uri.EscapeDataString(Subject), text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Nothing the handler logged (messages, fields, exceptions) names the subject.</summary>
    private void AssertNoRawSubjectLogged()
    {
        Assert.NotEmpty(_logs.Entries);
        AssertNoRawSubject(string.Join("|", _logs.Entries.Select(e => $"{e.Message} {string.Join(",", e.Fields.Values)} {e.Exception}")));
    }

    private async Task<string> AllAuditTextAsync(string tenant) =>
        string.Join("|", (await AuditRows.ForTenantAsync(azurite, tenant)).SelectMany(row => row.Select(p => $"{p.Key}={p.Value}")));

    [Theory]
    [InlineData(" padded@example.org")]
    [InlineData("tab\there")]
    [InlineData("x")]
    public async Task ExportAndErase_RouteValueThatIsNoSubjectId_Is400AndStoresNothing(string value)
    {
        var tenant = Secrets.NewTenant();
        await using var host = await StartAsync(tenant, Secrets.NewSecret());
        var token = Token("oid-dpo", [CallerRoles.SubjectsExport, CallerRoles.SubjectsErase], [tenant]);
        var invalid = value == "x" ? new string('x', 255) : value;

        using var export = await SendAsync(host, HttpMethod.Get, $"/api/subjects/{tenant}/{Uri.EscapeDataString(invalid)}/export", token);
        using var erase = await SendAsync(host, HttpMethod.Delete, $"/api/subjects/{tenant}/{Uri.EscapeDataString(invalid)}", token);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (export.StatusCode, erase.StatusCode));
        Assert.Contains("urn:pipeline:problem:subjects:bad-id", await erase.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
    }

    [Fact]
    public async Task Export_AfterTwinMindTranscript_ReturnsDecryptedTranscriptAndAuditRowsByPseudonym()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        await using var host = await StartAsync(tenant, secret);
        await StoreTranscriptAsync(host, tenant, secret, "tr-subject-1");
        // A real audit row about the subject: an audit query filtered by them records their pseudonym.
        using (var query = await SendAsync(host, HttpMethod.Get,
            $"/api/audit/{tenant}?from={DateTime.UtcNow.AddDays(-1):O}&to={DateTime.UtcNow.AddDays(1):O}&subject={Uri.EscapeDataString(Subject)}",
            Token("oid-auditor", [CallerRoles.AuditRead], [tenant])))
        {
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        }

        // The webhook's own audit row names its first participant by pseudonym (written by WriteAudit, asynchronously).
        await Eventually.GetAsync(
            async () => (await AuditRows.ForTenantAsync(azurite, tenant)).Find(row => row.GetString("Action") == AuditActions.EventAccepted),
            "the event.accepted audit row");
        var token = Token("oid-dpo", [CallerRoles.SubjectsExport], [tenant]);
        var (first, firstRaw) = await ExportAsync(host, tenant, token);
        var (second, secondRaw) = await ExportAsync(host, tenant, token);

        Assert.Equal(tenant, (string?)first["tenant"]);
        Assert.Equal(Pseudonym, (string?)first["subject"]);
        var transcript = Assert.Single(first["transcripts"]!.AsArray())!;
        Assert.Equal("tr-subject-1", (string?)transcript["transcriptId"]);
        Assert.Equal(Text, (string?)transcript["text"]);
        var audit = first["audit"]!.AsArray();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, row => Assert.Equal(Pseudonym, (string?)row!["subject"]));
        var accepted = Assert.Single(audit, row => (string?)row!["action"] == AuditActions.EventAccepted)!;
        Assert.Equal((string?)transcript["eventId"], (string?)accepted["eventId"]);
        var queried = Assert.Single(audit, row => (string?)row!["action"] == AuditActions.AuditQueried)!;
        Assert.Equal("oid-auditor", (string?)queried["actor"]);
        Assert.Equal(Pseudonym, (string?)queried["subject"]);
        // The first export is itself audited with the caller's oid, and so shows in the second.
        var exported = Assert.Single(second["audit"]!.AsArray(), row => (string?)row!["action"] == AuditActions.SubjectExported)!;
        Assert.Equal("oid-dpo", (string?)exported["actor"]);
        Assert.Equal("success", (string?)exported["outcome"]);
        Assert.Equal("1", (string?)exported["details"]!["transcripts"]);
        Assert.Equal("2", (string?)exported["details"]!["auditRows"]);
        AssertNoRawSubject(firstRaw);
        AssertNoRawSubject(secondRaw);
        AssertNoRawSubject(await AllAuditTextAsync(tenant));
        AssertNoRawSubjectLogged();
    }

    [Fact]
    public async Task ExportAndErase_WithoutTokenRoleOrTenant_Are401Or403Problems()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await StartAsync(tenant, Secrets.NewSecret());
        var cases = new (HttpMethod Method, string Path, string? Token, HttpStatusCode Expected)[]
        {
            (HttpMethod.Get, ExportPath(tenant), null, HttpStatusCode.Unauthorized),
            (HttpMethod.Delete, ErasePath(tenant), null, HttpStatusCode.Unauthorized),
            (HttpMethod.Get, ExportPath(tenant), Token("oid-x", [CallerRoles.SubjectsErase, CallerRoles.AuditRead], [tenant]), HttpStatusCode.Forbidden),
            (HttpMethod.Delete, ErasePath(tenant), Token("oid-x", [CallerRoles.SubjectsExport, CallerRoles.TranscriptsDelete], [tenant]), HttpStatusCode.Forbidden),
            (HttpMethod.Get, ExportPath(tenant), Token("oid-x", [CallerRoles.SubjectsExport], ["someone-else"]), HttpStatusCode.Forbidden),
            (HttpMethod.Delete, ErasePath(tenant), Token("oid-x", [CallerRoles.Admin], ["someone-else"]), HttpStatusCode.Forbidden),
        };

        foreach (var (method, path, token, expected) in cases)
        {
            using var response = await SendAsync(host, method, path, token);
            Assert.Equal(expected, response.StatusCode);
            AssertNoRawSubject(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using var forbidden = await SendAsync(host, HttpMethod.Get, ExportPath(tenant), Token("oid-x", [CallerRoles.SubjectsExport], ["someone-else"]));
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(await AuditRows.ForTenantAsync(azurite, tenant), row => row.GetString("Action") is AuditActions.SubjectExported or AuditActions.SubjectErased);
    }

    [Fact]
    public async Task Erase_AfterTwinMindTranscript_ShredsTranscriptAndIndexAndAuditsTheErasure()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        await using var host = await StartAsync(tenant, secret);
        await StoreTranscriptAsync(host, tenant, secret, "tr-subject-2");
        var store = host.Services.GetRequiredService<TranscriptTableStore>();
        Assert.Single(await store.Subjects.FindAsync(tenant, Pseudonym, TestContext.Current.CancellationToken));

        using var erase = await SendAsync(host, HttpMethod.Delete, ErasePath(tenant), Token("oid-eraser", [CallerRoles.SubjectsErase], [tenant]));
        var erased = JsonNode.Parse(await erase.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var (export, raw) = await ExportAsync(host, tenant, Token("oid-dpo", [CallerRoles.SubjectsExport], [tenant]));

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal(1, (int)erased["transcriptsErased"]!);
        Assert.Equal(1, (int)erased["indexRowsRemoved"]!);
        Assert.Empty(export["transcripts"]!.AsArray());
        Assert.Empty(await RowsAsync(TranscriptTableStore.TableName, TranscriptTableStore.PartitionFor(tenant, "tr-subject-2")));
        Assert.Empty(await RowsAsync(TranscriptSubjectIndex.TableName, TranscriptSubjectIndex.PartitionFor(tenant, Pseudonym)));
        // The other participant's index row went with the transcript: nothing points at a shredded transcript.
        Assert.Empty(await RowsAsync(TranscriptSubjectIndex.TableName, TranscriptSubjectIndex.PartitionFor(tenant, Pseudonyms.Of(TestHost.PseudonymKey, "charles@example.org"))));
        var audit = Assert.Single(export["audit"]!.AsArray(), row => (string?)row!["action"] == AuditActions.SubjectErased)!;
        Assert.Equal("oid-eraser", (string?)audit["actor"]);
        Assert.Equal(Pseudonym, (string?)audit["subject"]);
        Assert.Equal("1", (string?)audit["details"]!["transcriptsErased"]);
        AssertNoRawSubject(raw);
        AssertNoRawSubject(await AllAuditTextAsync(tenant));
        AssertNoRawSubjectLogged();
    }

    [Fact]
    public async Task Erase_ThenLateReplayOfTheSameEvent_IsNotStoredAgain_AndTheRefusalIsAudited()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        await using (var first = await StartAsync(tenant, secret))
        {
            await StoreTranscriptAsync(first, tenant, secret, "tr-replayed");
            using var erase = await SendAsync(first, HttpMethod.Delete, ErasePath(tenant), Token("oid-eraser", [CallerRoles.SubjectsErase], [tenant]));
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        }

        // Days later, on another instance, the deduplication memory has expired: the same captured bytes are accepted again.
        await using var host = await StartAsync(tenant, secret);
        var seen = azurite.TableService.GetTableClient(Pipeline.Azure.Webhooks.SeenEventStore.TableName);
        await foreach (var row in seen.QueryAsync<global::Azure.Data.Tables.TableEntity>(e => e.PartitionKey == tenant, cancellationToken: TestContext.Current.CancellationToken))
        {
            await seen.DeleteEntityAsync(row.PartitionKey, row.RowKey, global::Azure.ETag.All, TestContext.Current.CancellationToken);
        }

        using var replay = await SendTranscriptAsync(host, tenant, secret, "tr-replayed");
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Contains("\"duplicate\":false", await replay.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var refused = await WithLogsOnFailureAsync(() => Eventually.GetAsync(
            async () => (await AuditRows.ForTenantAsync(azurite, tenant)).Find(r => r.GetString("Action") == AuditActions.TranscriptRejected),
            "the audited refusal"));
        Assert.Equal("refused", refused.GetString("Outcome"));
        Assert.StartsWith("erasure-hold", refused.GetString("Detail_reason"), StringComparison.Ordinal);
        Assert.False((await host.Services.GetRequiredService<TranscriptReader>().ReadAsync(tenant, "tr-replayed", TestContext.Current.CancellationToken)).Found);
        Assert.Empty(await RowsAsync(TranscriptTableStore.TableName, TranscriptTableStore.PartitionFor(tenant, "tr-replayed")));
        Assert.Empty(await RowsAsync(TranscriptSubjectIndex.TableName, TranscriptSubjectIndex.PartitionFor(tenant, Pseudonym)));
        // The hold is a keyed hash: neither the tenant's transcript id nor its unkeyed hash is in it.
        var holds = await RowsAsync(ErasureHoldStore.TableName, tenant);
        var hold = Assert.Single(holds);
        Assert.DoesNotContain("tr-replayed", string.Join('|', hold.Select(p => $"{p.Key}={p.Value}")), StringComparison.Ordinal);
        Assert.DoesNotContain(TranscriptTableStore.PartitionFor(tenant, "tr-replayed")[(tenant.Length + 1)..], hold.RowKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAndErase_SubjectWithNothingHeld_AreEmptyAndZero()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await StartAsync(tenant, Secrets.NewSecret());

        var (export, raw) = await ExportAsync(host, tenant, Token("oid-dpo", [CallerRoles.SubjectsExport], [tenant]));
        using var erase = await SendAsync(host, HttpMethod.Delete, ErasePath(tenant), Token("oid-eraser", [CallerRoles.SubjectsErase], [tenant]));
        var erased = JsonNode.Parse(await erase.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Empty(export["transcripts"]!.AsArray());
        Assert.Empty(export["audit"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal(0, (int)erased["transcriptsErased"]!);
        Assert.Equal(0, (int)erased["indexRowsRemoved"]!);
        AssertNoRawSubject(raw);
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Single(rows, row => row.GetString("Action") == AuditActions.SubjectExported && row.GetString("Subject") == Pseudonym);
        Assert.Single(rows, row => row.GetString("Action") == AuditActions.SubjectErased && row.GetString("Subject") == Pseudonym);
    }

    private async Task<List<TableEntity>> RowsAsync(string table, string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in azurite.TableService.GetTableClient(table)
            .QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }
}
