using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.EndToEnd;

/// <summary>One event the whole way: real HTTP, real Azurite, the real Local mode dispatcher.</summary>
public sealed class WalkingSkeletonTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task SignedMindTickleWebhook_IsAcceptedPublishedAndAudited()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:0"] = secret,
        });
        var body = Encoding.UTF8.GetBytes(
            """{"event_id":"evt-walking-1","event_type":"course.completed","occurred_at":"2026-11-22T10:00:00Z","data":{"email":"jane.doe@example.com","score":97}}""");

        using var response = await host.Client.SendAsync(Signing.MindTickle(tenant, secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<AcceptedBody>(TestContext.Current.CancellationToken);
        Assert.NotNull(accepted);
        Assert.StartsWith("evt_", accepted.EventId, StringComparison.Ordinal);
        Assert.False(accepted.Duplicate);

        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var row = await Eventually.GetAsync(
            async () =>
            {
                try
                {
                    await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(tenant + "_") > 0 && e.PartitionKey.CompareTo(tenant + "_99999999") < 0, cancellationToken: TestContext.Current.CancellationToken))
                    {
                        if (entity.GetString("EventId") == accepted.EventId)
                        {
                            return entity;
                        }
                    }
                }
                catch (global::Azure.RequestFailedException e) when (e.Status == 404)
                {
                    // The table appears with the first audit row.
                }

                return null;
            },
            "the AuditLog row of the accepted event");

        Assert.Equal("event.accepted", row.GetString("Action"));
        Assert.Equal(tenant, row.GetString("Tenant"));
        Assert.Equal("course.completed", row.GetString("Detail_eventType"));
        var everyValue = string.Join("|", row.Select(p => p.Value?.ToString()));
        Assert.DoesNotContain("jane.doe", everyValue, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("97", row.Where(p => p.Key.StartsWith("Detail_", StringComparison.Ordinal)).Select(p => p.Value?.ToString()));
    }

    [Fact]
    public async Task Health_AnswersOkWithoutConfiguration()
    {
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>());

        using var response = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("""{"status":"healthy"}""", text);
    }

    private sealed record AcceptedBody(string EventId, bool Duplicate);
}
