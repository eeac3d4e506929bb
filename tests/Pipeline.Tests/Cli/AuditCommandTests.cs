using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Retention;
using Pipeline.Cli.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Configuration;
using Pipeline.Tests.Infrastructure;
using Spectre.Console;

namespace Pipeline.Tests.Cli;

/// <summary><c>audit query</c> and <c>audit verify</c> against Azurite, as the operator runs them.</summary>
public sealed class AuditCommandTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Day = new(2026, 5, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly AuditOptions Audit = new() { PseudonymKey = Secrets.NewSecret() };
    private static readonly byte[] Key = AuditChain.DeriveKey(Audit.PseudonymKey!);

    private static IAnsiConsole Console(StringWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No });

    private async Task<string> SeedAsync(int count, int days = 1)
    {
        var tenant = Secrets.NewTenant();
        var writer = new AuditTableWriter(azurite.TableService, Key);
        var entries = Enumerable.Range(0, count).Select(i => new AuditEntry(
            tenant, Day.AddMinutes(i * 24.0 * 60 * days / count), i % 2 == 0 ? AuditActions.EventAccepted : AuditActions.AuditQueried, "success", "vendor:standard", "event", $"e{i}", $"e{i}",
            Pseudonyms.Of(Audit.PseudonymKey!, i % 5 == 0 ? "five@example.com" : "other@example.com"),
            new Dictionary<string, string>(StringComparer.Ordinal) { ["note"] = "a,\"quoted\" value" })).ToList();
        await writer.WriteBatchAsync(entries, TestContext.Current.CancellationToken);
        return tenant;
    }

    [Fact]
    public async Task Query_Json_PagesThroughEveryRowOfTheRange()
    {
        var tenant = await SeedAsync(2500, days: 2);
        using var output = new StringWriter();
        using var progress = new StringWriter();

        var code = await AuditCommand.QueryAsync(Audit, azurite.TableService, new AuditQuery(tenant, Day, Day.AddDays(2), null, null, 1000, null), "json", output, Console(progress), TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal(2500, json.RootElement.GetArrayLength());
        Assert.Equal("e0", json.RootElement[0].GetProperty("eventId").GetString());
        Assert.Contains("2500 row(s)", progress.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_CsvWithActionAndRawSubject_FiltersAndQuotes()
    {
        var tenant = await SeedAsync(20);
        using var output = new StringWriter();
        using var progress = new StringWriter();

        var code = await AuditCommand.QueryAsync(Audit, azurite.TableService, new AuditQuery(tenant, Day, Day.AddDays(1), AuditActions.EventAccepted, "FIVE@example.com", 1000, null), "csv", output, Console(progress), TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("timestamp,action", lines[0], StringComparison.Ordinal);
        Assert.Equal(["e0", "e10"], lines.Skip(1).Select(l => l.Split(',')[6]));
        Assert.All(lines.Skip(1), l => Assert.Contains(Pseudonyms.Of(Audit.PseudonymKey!, "five@example.com"), l, StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.EndsWith("\"{\"\"note\"\":\"\"a,\\u0022quoted\\u0022 value\"\"}\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_Table_WritesRows()
    {
        var tenant = await SeedAsync(3);
        using var output = new StringWriter();
        using var progress = new StringWriter();

        var code = await AuditCommand.QueryAsync(Audit, azurite.TableService, new AuditQuery(tenant, Day, Day.AddDays(1), null, null, 1000, null), "table", output, Console(progress), TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Contains("event/e2", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_IntactThenEdited_ReportsTheFirstBreak()
    {
        var tenant = await SeedAsync(30, days: 3);
        using var intact = new StringWriter();

        Assert.Equal(0, await AuditCommand.VerifyAsync(new PipelineOptions(), Audit, azurite.TableService, tenant, Day, Day.AddDays(2), Day.AddDays(3), Console(intact), TestContext.Current.CancellationToken));
        Assert.Contains("Intact: 30 row(s) in 3 partition(s)", intact.ToString(), StringComparison.Ordinal);

        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var victim = (await AuditRows.ForTenantAsync(azurite, tenant)).OrderBy(r => r.RowKey, StringComparer.Ordinal).ElementAt(15);
        victim["Subject"] = "psn_00000000000000000000000000000000";
        await table.UpdateEntityAsync(victim, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        using var broken = new StringWriter();

        Assert.Equal(1, await AuditCommand.VerifyAsync(new PipelineOptions(), Audit, azurite.TableService, tenant, Day, Day.AddDays(2), Day.AddDays(3), Console(broken), TestContext.Current.CancellationToken));
        Assert.Contains(victim.RowKey, broken.ToString().Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AfterRetentionPurge_AcceptsTheExpiredStartOnlyBeforeTheCutoff()
    {
        var tenant = await SeedAsync(24);
        var cutoff = Day.AddHours(12);
        await new AuditRetentionPurger(azurite.TableService).PurgeAsync(tenant, cutoff, cancellationToken: TestContext.Current.CancellationToken);
        var verifier = new AuditChainVerifier(azurite.TableService, Key);

        var withRetention = await verifier.VerifyAsync(tenant, Day, Day, retentionCutoff: cutoff, cancellationToken: TestContext.Current.CancellationToken);
        var withoutRetention = await verifier.VerifyAsync(tenant, Day, Day, retentionCutoff: Day.AddDays(-1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(withRetention.Break);
        Assert.Equal(12, withRetention.Rows);
        Assert.Contains("missing", withoutRetention.Break?.Reason, StringComparison.Ordinal);
    }
}
