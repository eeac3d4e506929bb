using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks.Vendors;
using Pipeline.Host.Auth;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Privacy;

/// <summary>
/// The PII corpus through the whole local pipeline (real HTTP, Azurite, the Local dispatcher):
/// no raw value reaches an audit row, a log line or a response, and subject queries still find the events.
/// </summary>
public sealed class RedactionEndToEndTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Corpus_ThroughThePipeline_NoRawValueInRowsLogsOrResponses()
    {
        var tenant = Secrets.NewTenant();
        var secrets = new Dictionary<string, string>
        {
            ["mindtickle"] = Secrets.NewSecret(),
            ["twinmind"] = Secrets.NewSecret(),
            ["standard"] = Secrets.NewWhsec(),
        };
        var logs = new CapturedLogs();
        // No tenant setting: personal fields (title among them) are dropped by the schemas' allowlist for every tenant.
        var settings = new Dictionary<string, string?>();
        foreach (var (vendor, secret) in secrets)
        {
            settings[$"Pipeline:Tenants:{tenant}:Vendors:{vendor}:Secrets:0"] = secret;
            settings[$"Pipeline:Tenants:{tenant}:Vendors:{vendor}:Scopes:0"] = "scim:write";
        }

        await using var host = await TestHost.StartAsync(azurite, settings, services => services.AddSingleton<ILoggerProvider>(logs));
        var responses = new List<string>();
        var events = PiiCorpus.Events(tenant);
        foreach (var (vendor, body) in events)
        {
            var bytes = PiiCorpus.Bytes(body);
            using var accepted = await SendAsync(host, vendor, tenant, secrets[vendor], bytes);
            using var forged = await SendAsync(host, vendor, tenant, vendor == "standard" ? Secrets.NewWhsec() : Secrets.NewSecret(), bytes);
            using var unknownTenant = await SendAsync(host, vendor, "no-such-tenant", secrets[vendor], bytes);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, unknownTenant.StatusCode);
            foreach (var response in new[] { accepted, forged, unknownTenant })
            {
                responses.Add(response.Headers + "\n" + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }
        }

        // Every event's row, and the second participant's row, have been written.
        var rows = await Eventually.GetAsync(
            async () =>
            {
                var current = await AuditRows.ForTenantAsync(azurite, tenant);
                return current.Count(r => r.GetString("Action") is AuditActions.EventAccepted or EventAudit.SubjectReferenced) >= events.Count + 1 ? current : null;
            },
            "the audit rows of the corpus");

        Assert.Empty(PiiCorpus.Leaks(string.Join('\n', rows.SelectMany(r => r.Select(p => p.Key + "=" + p.Value)))));
        Assert.Empty(PiiCorpus.Leaks(string.Join('\n', responses)));

        // The classified log parameter is the subject's pseudonym, not erased and not raw (the line follows the row).
        var scimPseudonym = Pseudonyms.Of(TestHost.PseudonymKey, PiiCorpus.ScimUser);
        await Eventually.GetAsync(
            () => Task.FromResult(logs.Entries.FirstOrDefault(e => e.Message.Contains(scimPseudonym, StringComparison.Ordinal))),
            "the WriteAudit log line naming the SCIM user's pseudonym");
        Assert.Empty(PiiCorpus.Leaks(string.Join('\n', logs.Entries.Select(e => e.Message + " " + string.Join(' ', e.Fields.Values) + " " + e.Exception))));

        // The rows carry payload summaries and subject pseudonyms that the query API finds by raw identifier.
        var user = rows.Single(r => r.GetString("Detail_eventType") == "user.created" && r.GetString("Action") == AuditActions.EventAccepted);
        Assert.Equal(scimPseudonym, user.GetString("Subject"));
        Assert.Contains(scimPseudonym, user.GetString("Detail_payload"), StringComparison.Ordinal);
        foreach (var participant in new[] { PiiCorpus.FirstParticipant, PiiCorpus.SecondParticipant })
        {
            var items = await QuerySubjectAsync(host, tenant, participant);
            Assert.Contains(items, i => i.Subject == Pseudonyms.Of(TestHost.PseudonymKey, participant));
            Assert.Single(items.Select(i => i.EventId).Distinct());
        }

        // Everything the pipeline wrote for the tenant (accepted events, rejections, audited reads) is one intact chain per day.
        var now = DateTimeOffset.UtcNow;
        var report = await new AuditChainVerifier(azurite.TableService, AuditChain.DeriveKey(TestHost.PseudonymKey))
            .VerifyAsync(tenant, now.AddDays(-1), now.AddDays(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(report.Break);
        Assert.True(report.Rows >= events.Count + 1);
    }

    private static async Task<HttpResponseMessage> SendAsync(TestHost host, string vendor, string tenant, string secret, byte[] body, string? eventType = null)
    {
        using var request = Signing.Json($"/api/webhooks/{vendor}/{tenant}", body);
        foreach (var (name, value) in WebhookVendors.Get(vendor).Sign(secret, body, DateTimeOffset.UtcNow, eventType))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<List<Item>> QuerySubjectAsync(TestHost host, string tenant, string subject)
    {
        var now = DateTimeOffset.UtcNow;
        var token = LocalTokens.Mint(TestHost.LocalSigningKey, "auditor", [CallerRoles.AuditRead], [tenant], now, TimeSpan.FromMinutes(5));
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/api/audit/{tenant}?from={now.AddHours(-1).UtcDateTime:O}&to={now.AddHours(1).UtcDateTime:O}&subject={Uri.EscapeDataString(subject)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Empty(PiiCorpus.Leaks(text));
        return (await response.Content.ReadFromJsonAsync<Page>(TestContext.Current.CancellationToken))!.Items;
    }

    private sealed record Page(List<Item> Items, string? ContinuationToken);

    private sealed record Item(string Action, string? EventId, string? Subject);
}
