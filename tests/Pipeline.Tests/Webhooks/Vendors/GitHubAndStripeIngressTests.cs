using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks.Vendors;

/// <summary>
/// GitHub and Stripe through the real handler and the real WriteAudit consumer on Azurite: a signed
/// event is accepted and its audit row keeps the fields the schema classifies safe, nothing else; a bad
/// signature is refused.
/// </summary>
public sealed class GitHubAndStripeIngressTests(AzuriteFixture azurite)
{
    private const string GitHubPush = """
        {"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"76ae82c7b1a177c8d03f9e96e0adf2466113728f",
         "created":false,"deleted":false,"forced":false,"compare":"https://github.com/octo-person/repo/compare/6113728f27ae...76ae82c7b1a1",
         "commits":[{"id":"76ae82c7b1a177c8d03f9e96e0adf2466113728f","timestamp":"2026-11-22T10:07:00Z","distinct":true,
           "message":"Fix the thing for Priya Raman","author":{"name":"Priya Raman","email":"priya.raman@example.org","username":"praman"},
           "added":["people/priya.md"]}],
         "head_commit":{"id":"76ae82c7b1a177c8d03f9e96e0adf2466113728f","message":"Fix the thing for Priya Raman"},
         "pusher":{"name":"praman","email":"priya.raman@example.org"},
         "repository":{"id":1296269,"name":"repo","full_name":"octo-person/repo","owner":{"login":"octo-person"}},
         "sender":{"login":"praman","id":583231}}
        """;

    private const string StripeCustomer = """
        {"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","api_version":"2024-06-20","created":1764669600,"livemode":false,
         "pending_webhooks":1,"request":{"id":"req_8Wg1","idempotency_key":"jane-signup-key"},"type":"customer.created",
         "data":{"object":{"id":"cus_PQ8Wg1","object":"customer","created":1764669600,"currency":"eur","balance":0,"delinquent":false,
           "email":"jane.doe@acme-corp.com","name":"Janet Doenitz","phone":"+44 20 7946 0958","description":"VIP Janet",
           "address":{"line1":"1 Main Street","city":"Lisbon","postal_code":"1100-148","country":"PT"},"metadata":{"crm":"Janet-77"}}}}
        """;

    [Fact]
    public async Task Post_GitHubPushSigned_Is202AndRowKeepsIdsAndRefsOnly()
    {
        await using var host = await IngressHost.StartAsync(azurite, realPublisher: true);
        var delivery = Guid.NewGuid().ToString();

        using var response = await host.SendSignedAsync("github", GitHubPush, id: delivery, eventType: "push");

        var row = await AcceptedRowAsync(host, response);
        Assert.Equal("push", row.GetString("Detail_eventType"));
        Assert.Equal("github", row.GetString("Detail_vendor"));
        var kept = JsonNode.Parse(row.GetString("Detail_payload"))!;
        Assert.Equal(
            """{"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"76ae82c7b1a177c8d03f9e96e0adf2466113728f","created":false,"deleted":false,"forced":false,"commits":[{"id":"76ae82c7b1a177c8d03f9e96e0adf2466113728f","timestamp":"2026-11-22T10:07:00Z","distinct":true}],"head_commit":{"id":"76ae82c7b1a177c8d03f9e96e0adf2466113728f"},"repository":{"id":1296269}}""",
            kept.ToJsonString());
        Assert.Null(row.GetString("Subject"));
    }

    [Fact]
    public async Task Post_GitHubUnknownEventType_Is202AndRowKeepsTheEnvelopeOnly()
    {
        await using var host = await IngressHost.StartAsync(azurite, realPublisher: true);

        using var response = await host.SendSignedAsync(
            "github", """{"action":"opened","issue":{"title":"Janet's review","user":{"login":"jdoe"}},"repository":{"id":7,"full_name":"jdoe/x"}}""",
            id: Guid.NewGuid().ToString(), eventType: "issues");

        var row = await AcceptedRowAsync(host, response);
        Assert.Equal("issues", row.GetString("Detail_eventType"));
        Assert.Equal("""{"action":"opened","repository":{"id":7}}""", JsonNode.Parse(row.GetString("Detail_payload"))!.ToJsonString());
    }

    [Fact]
    public async Task Post_StripeCustomerCreatedSigned_Is202AndRowKeepsIdsAmountsAndTimesOnly()
    {
        await using var host = await IngressHost.StartAsync(azurite, realPublisher: true);

        using var response = await host.SendSignedAsync("stripe", StripeCustomer.Replace("evt_1NG8Du2eZvKYlo2CUI79vXWy", $"evt_{Guid.NewGuid():N}", StringComparison.Ordinal));

        var row = await AcceptedRowAsync(host, response);
        Assert.Equal("customer.created", row.GetString("Detail_eventType"));
        var kept = JsonNode.Parse(row.GetString("Detail_payload"))!.AsObject();
        Assert.Equal(["api_version", "created", "data", "id", "livemode", "object", "pending_webhooks", "request", "type"], kept.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("""{"id":"req_8Wg1"}""", kept["request"]!.ToJsonString());
        Assert.Equal(
            """{"object":{"id":"cus_PQ8Wg1","object":"customer","created":1764669600,"currency":"eur","balance":0,"delinquent":false}}""",
            kept["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Post_StripeEventKey_IsTheBodyId_SoARedeliveryIsADuplicate()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var body = StripeCustomer.Replace("evt_1NG8Du2eZvKYlo2CUI79vXWy", $"evt_{Guid.NewGuid():N}", StringComparison.Ordinal);

        using var first = await host.SendSignedAsync("stripe", body);
        using var again = await host.SendSignedAsync("stripe", body, at: DateTimeOffset.UtcNow.AddSeconds(30));

        var (one, two) = (await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken), await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, again.StatusCode));
        Assert.Equal(one.GetProperty("eventId").GetString(), two.GetProperty("eventId").GetString());
        Assert.True(two.GetProperty("duplicate").GetBoolean());
    }

    [Fact]
    public async Task Post_GitHubEventKey_IsTheDeliveryId_TheOnlyReplayDefence()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var delivery = Guid.NewGuid().ToString();

        using var first = await host.SendSignedAsync("github", GitHubPush, id: delivery);
        using var redelivered = await host.SendSignedAsync("github", GitHubPush, id: delivery);
        using var underAnotherId = await host.SendSignedAsync("github", GitHubPush, id: Guid.NewGuid().ToString());

        var answers = new List<JsonElement>();
        foreach (var response in new[] { first, redelivered, underAnotherId })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            answers.Add(await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
        }

        // GitHub signs neither the delivery id nor a time: the same bytes under a fresh id are a new event (README, "Vendors").
        Assert.Equal([false, true, false], answers.Select(a => a.GetProperty("duplicate").GetBoolean()));
        Assert.Equal(answers[0].GetProperty("eventId").GetString(), answers[1].GetProperty("eventId").GetString());
        Assert.NotEqual(answers[0].GetProperty("eventId").GetString(), answers[2].GetProperty("eventId").GetString());
    }

    [Theory]
    [InlineData("github")]
    [InlineData("stripe")]
    public async Task Post_SignedWithAnotherSecret_Is401(string vendor)
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var body = vendor == "github" ? GitHubPush : StripeCustomer;

        using var response = await host.SendAsync(Request(vendor, host.Tenant, NewSecret(vendor), System.Text.Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(host.Publisher!.Published);
    }

    [Fact]
    public async Task Post_StripeTimestampOutsideTolerance_Is401()
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendSignedAsync("stripe", StripeCustomer, at: DateTimeOffset.UtcNow.AddMinutes(10));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Post_GitHubWithoutEventHeader_Is400()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        using var request = Request("github", host.Tenant, host.Secrets["github"], System.Text.Encoding.UTF8.GetBytes(GitHubPush), DateTimeOffset.UtcNow);
        request.Headers.Remove("X-GitHub-Event");

        using var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("github", "Push")]
    [InlineData("github", "PUSH")]
    public async Task Post_EventTypeHeaderVariant_Is422(string vendor, string eventType)
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendSignedAsync(vendor, GitHubPush, id: Guid.NewGuid().ToString(), eventType: eventType);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    private async Task<TableEntity> AcceptedRowAsync(IngressHost host, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var eventId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("eventId").GetString();
        return await Eventually.GetAsync(
            async () => (await AuditRows.ForTenantAsync(azurite, host.Tenant))
                .FirstOrDefault(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.EventAccepted),
            "the event's audit row",
            TimeSpan.FromSeconds(60));
    }
}
