using System.Net;
using System.Text.Json;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Retention;

/// <summary>RetentionPurge as the Functions host's timer trigger calls it: <c>POST /RetentionPurge</c>.</summary>
public sealed class RetentionPurgeInvocationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PostRetentionPurge_TimerPayload_PurgesExpiredRowsAndAuditsTheRun()
    {
        var tenant = Secrets.NewTenant();
        await azurite.AuditWriter().WriteAsync(
            new AuditEntry(tenant, DateTimeOffset.UtcNow.AddDays(-3), AuditActions.EventAccepted, "success", "vendor:standard", "event", "old", "old", null, new Dictionary<string, string>()),
            TestContext.Current.CancellationToken);
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost(new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:standard:Secrets:0"] = Secrets.NewWhsec(),
            [$"Pipeline:Tenants:{tenant}:Privacy:AuditRetentionDays"] = "1",
        }));
        const string Timer = """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-21T02:00:00Z","Next":"2026-11-23T02:00:00Z"},"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"RetentionPurge"}}}""";

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("RetentionPurge", Timer), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var log = answer.RootElement.GetProperty("Logs")[0].GetString();
        Assert.Contains("finished", log, StringComparison.Ordinal);
        Assert.Contains("(past due)", log, StringComparison.Ordinal);
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        var run = Assert.Single(rows);
        Assert.Equal(AuditActions.RetentionPurged, run.GetString("Action"));
        Assert.Equal("1", run.GetString("Detail_auditRowsDeleted"));
        Assert.Equal("0", run.GetString("Detail_transcriptsDeleted"));
    }
}
