using System.Text;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Webhooks;
using Pipeline.Tests.Infrastructure;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

/// <summary>Rejections reach the audit table on Azurite as per-minute counts, without payload or secrets.</summary>
public sealed class RejectionAuditTests(AzuriteFixture azurite)
{
    private async Task<List<TableEntity>> RejectionRowsAsync(string tenant)
    {
        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var rows = new List<TableEntity>();
        try
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey gt {tenant + "_"} and PartitionKey lt {tenant + "_99999999"} and Action eq {RejectionTally.Action}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: TestContext.Current.CancellationToken))
            {
                rows.Add(row);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No audit table yet.
        }

        return rows;
    }

    [Fact]
    public async Task Rejections_FloodOfBadSignatures_AreCountedPerMinuteNotPerRequest()
    {
        const int flood = 40;
        var payloadMarker = "p4yl0ad-" + Guid.NewGuid().ToString("N");
        string tenant;
        string secret;
        double floodSeconds;
        // The loopback caller and the 10/8 hop are configured proxies, so the address left of them is believed.
        await using (var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Pipeline:Webhooks:TrustedProxies:0"] = "127.0.0.1",
            ["Pipeline:Webhooks:TrustedProxies:1"] = "10.0.0.0/8",
        }))
        {
            tenant = host.Tenant;
            secret = host.Secrets["mindtickle"];
            var flooding = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < flood; i++)
            {
                var body = Encoding.UTF8.GetBytes($$$"""{"event_type":"course.completed","data":{"note":"{{{payloadMarker}}}"}}""");
                var request = Request("mindtickle", host.Tenant, host.OtherSecret, body, DateTimeOffset.UtcNow);
                request.Headers.Add("X-Forwarded-For", "203.0.113.77, 10.0.0.1");
                using var response = await host.SendAsync(request);
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
            }

            floodSeconds = flooding.Elapsed.TotalSeconds;
            using var stale = await host.SendSignedAsync("standard", """{"type":"a"}""", at: DateTimeOffset.UtcNow.AddHours(-1));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        // The flushes while it ran and the one at stop wrote the counts.
        var rows = await RejectionRowsAsync(tenant);

        var badSignature = rows.Where(r => r.GetString("Detail_reason") == "bad-signature").ToList();
        // Written through every second: at most one row per flush that had new counts (one a second while the
        // flood ran, one at stop), never one per request. Bounded by the flood's own duration, which a loaded
        // runner stretches, rather than by a fixed count.
        Assert.InRange(badSignature.Count, 1, Math.Min(flood - 1, (int)Math.Ceiling(floodSeconds) + 2));
        Assert.Equal(flood, badSignature.Sum(r => long.Parse(r.GetString("Detail_count"), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(badSignature, r =>
        {
            Assert.Equal("vendor:mindtickle", r.GetString("Actor"));
            Assert.Equal("failure", r.GetString("Outcome"));
            Assert.Equal("203.0.113.0/24", r.GetString("Detail_sources"));
        });
        Assert.Contains(rows, r => r.GetString("Detail_reason") == "stale-timestamp" && r.GetString("Detail_vendor") == "standard");
        var everything = string.Join('|', rows.SelectMany(r => r).Select(p => p.Value?.ToString()));
        Assert.DoesNotContain(payloadMarker, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.77", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejections_UnknownTenantAndVendor_AreCountedWithoutTheRouteText()
    {
        var routeTenant = "evil-" + Guid.NewGuid().ToString("N")[..8];
        await using (var host = await IngressHost.StartAsync(azurite))
        {
            using var unknownTenant = await host.SendAsync(Signing.Json($"/api/webhooks/mindtickle/{routeTenant}", "{}"u8.ToArray()));
            using var unknownVendor = await host.SendAsync(Signing.Json($"/api/webhooks/{routeTenant}/{host.Tenant}", "{}"u8.ToArray()));
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, unknownTenant.StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, unknownVendor.StatusCode);

            // Counted under the configured tenant with vendor "unknown".
            await host.Host.App.StopAsync(TestContext.Current.CancellationToken);
            var rows = await RejectionRowsAsync(host.Tenant);
            var row = Assert.Single(rows);
            Assert.Equal("unknown-vendor", row.GetString("Detail_reason"));
            Assert.Equal("unknown", row.GetString("Detail_vendor"));
        }

        var unknownRows = await RejectionRowsAsync(RejectionTally.UnknownTenant);
        Assert.Contains(unknownRows, r => r.GetString("Detail_reason") == "tenant-not-allowed");
        Assert.DoesNotContain(unknownRows, r => r.Any(p => p.Value?.ToString()?.Contains(routeTenant, StringComparison.Ordinal) == true));
        Assert.Empty(await RejectionRowsAsync(routeTenant));
    }
}
