using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Telemetry;

namespace Pipeline.Tests.Audit;

/// <summary>
/// VerifyAuditChain (issue 11): the daily timer verifies yesterday's partition of each tenant as <c>audit verify</c>
/// does, through the real handler (<c>POST /VerifyAuditChain</c> as the host's timer invokes it) on Azurite.
/// </summary>
public sealed class VerifyAuditChainTests(AzuriteFixture azurite)
{
    private const string TimerPayload = """{"Data":{"timer":{"Schedule":{"AdjustForDST":false},"IsPastDue":false}},"Metadata":{}}""";

    [Fact]
    public async Task PostVerifyAuditChain_YesterdayIntact_NoBreak_AuditsASuccessfulRun()
    {
        var (tenant, settings) = Tenant();
        await WriteYesterdayAsync(tenant, 5);
        var logs = new CapturedLogs();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost(settings), s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("VerifyAuditChain", TimerPayload), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 182 && Equals(e.Fields["Tenant"], tenant));
        var run = Assert.Single(await AuditRows.ForTenantAsync(azurite, tenant), r => r.GetString("Action") == AuditActions.ChainVerified);
        Assert.Equal("success", run.GetString("Outcome"));
        Assert.Equal("5", run.GetString("Detail_rows"));
        Assert.Equal(AuditEntry.PartitionFor(tenant, Yesterday), run.GetString("ResourceId"));
    }

    [Fact]
    public async Task PostVerifyAuditChain_YesterdayRowEdited_BreakCountedLoggedAndAudited()
    {
        var (tenant, settings) = Tenant();
        await WriteYesterdayAsync(tenant, 5);
        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var victim = (await AuditRows.ForTenantAsync(azurite, tenant))[2];
        victim["Outcome"] = "failure";
        await table.UpdateEntityAsync(victim, victim.ETag, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        var logs = new CapturedLogs();
        using var measurements = new Measurements();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost(settings), s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("VerifyAuditChain", TimerPayload), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(measurements.Sum("pipeline.audit.chain.breaks") >= 1);
        var warning = Assert.Single(logs.Entries, e => e.EventId == 182 && Equals(e.Fields["Tenant"], tenant));
        Assert.Equal(victim.RowKey, warning.Fields["RowKey"]);
        Assert.Equal(Yesterday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), warning.Fields["Day"]);
        var run = Assert.Single(await AuditRows.ForTenantAsync(azurite, tenant), r => r.GetString("Action") == AuditActions.ChainVerified);
        Assert.Equal("failure", run.GetString("Outcome"));
        Assert.Equal(victim.RowKey, run.GetString("Detail_breakRowKey"));
    }

    private static DateTimeOffset Yesterday => new(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), TimeSpan.Zero);

    private static (string Tenant, Dictionary<string, string?> Settings) Tenant()
    {
        var tenant = Secrets.NewTenant();
        return (tenant, new Dictionary<string, string?> { [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = Secrets.NewSecret() });
    }

    private Task WriteYesterdayAsync(string tenant, int rows) =>
        azurite.AuditWriter().WriteBatchAsync(
            [.. Enumerable.Range(0, rows).Select(i => new AuditEntry(
                tenant, Yesterday.AddSeconds(i), AuditActions.EventAccepted, "success", "vendor:twinmind", "event", $"e-{i}", $"e-{i}", null,
                new Dictionary<string, string>(StringComparer.Ordinal)))],
            TestContext.Current.CancellationToken);
}
