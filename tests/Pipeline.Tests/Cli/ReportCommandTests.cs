using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Cli.Reports;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;
using Spectre.Console;
using Pipeline.Cli.Local;
using Pipeline.Cli.DeadLetters;

namespace Pipeline.Tests.Cli;

/// <summary><c>pipeline report</c> against Azurite: a tampered audit row shows as a break, in the file and in the exit code.</summary>
public sealed class ReportCommandTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 6, 10, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-report-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private CliServices Services(string tenant) => CliServices.Build(
        CliConfiguration.Local(
            azurite.ConnectionString,
            ("Pipeline:ServiceBus:TopicName", $"t-{Guid.NewGuid():N}"[..20]),
            ($"Pipeline:Tenants:{tenant}:Vendors:standard:Secrets:0", Secrets.NewWhsec())),
        CliDeadLetters.Register);

    private static IAnsiConsole Console(StringWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No });

    private async Task<string> SeedAsync()
    {
        var tenant = Secrets.NewTenant();
        await azurite.AuditWriter().WriteBatchAsync(
            [.. Enumerable.Range(0, 6).Select(i => new AuditEntry(tenant, Day.AddDays(i % 2).AddMinutes(i), AuditActions.EventAccepted, "success", "vendor:standard", "event", $"e{i}", $"e{i}", null,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["vendor"] = "standard", ["eventType"] = "invoice.paid" }))],
            TestContext.Current.CancellationToken);
        return tenant;
    }

    [Fact]
    public async Task Report_IntactChain_WritesTheFileExitsZeroAndIsAudited()
    {
        var tenant = await SeedAsync();
        var file = new FileInfo(Path.Combine(_directory, "report.json"));
        using var progress = new StringWriter();

        await using var services = Services(tenant);
        var code = await ReportCommand.RunAsync(services, tenant, "2026-06-10", "2026-06-11", file, "json", TimeProvider.System, Console(progress), TestContext.Current.CancellationToken);

        Assert.Equal(ReportCommand.Intact, code);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file.FullName, TestContext.Current.CancellationToken));
        Assert.True(json.RootElement.GetProperty("chainIntact").GetBoolean());
        Assert.Equal([3L, 3L], json.RootElement.GetProperty("chain").EnumerateArray().Select(d => d.GetProperty("rows").GetInt64()));
        Assert.Equal("standard", json.RootElement.GetProperty("secrets")[0].GetProperty("vendor").GetString());
        Assert.Contains("intact", progress.ToString(), StringComparison.Ordinal);
        Assert.Contains(await AuditRows.ForTenantAsync(azurite, tenant), r => r.GetString("Action") == "report.generated" && r.GetString("Actor")!.StartsWith("cli:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_TamperedRow_ShowsTheBreakOnItsDayAndExitsOne()
    {
        var tenant = await SeedAsync();
        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var victim = (await AuditRows.ForTenantAsync(azurite, tenant)).First(r => r.PartitionKey.EndsWith("20260611", StringComparison.Ordinal));
        victim["Outcome"] = "failure";
        await table.UpdateEntityAsync(victim, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        var file = new FileInfo(Path.Combine(_directory, "report.html"));
        using var progress = new StringWriter();

        await using var services = Services(tenant);
        var code = await ReportCommand.RunAsync(services, tenant, "2026-06-10", "2026-06-11", file, "html", TimeProvider.System, Console(progress), TestContext.Current.CancellationToken);

        Assert.Equal(ReportCommand.ChainBroken, code);
        var html = await File.ReadAllTextAsync(file.FullName, TestContext.Current.CancellationToken);
        Assert.Contains("<span class=\"bad\">BROKEN</span>", html, StringComparison.Ordinal);
        Assert.Matches($"<td>2026-06-11</td>.*<span class=\"bad\">break</span> at row <code>{victim.RowKey}</code>.*row content does not match its MAC", html);
        Assert.Matches("<td>2026-06-10</td><td class=\"n\">3</td><td><span class=\"ok\">intact</span>", html);
        Assert.Contains("broken on 2026-06-11", progress.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-06-11", "2026-06-10")]
    [InlineData("yesterday", "2026-06-10")]
    public async Task Report_BadPeriod_ExitsTwoAndWritesNothing(string from, string to)
    {
        var file = new FileInfo(Path.Combine(_directory, "never.html"));
        using var progress = new StringWriter();

        await using var services = Services("tenant-x");
        var code = await ReportCommand.RunAsync(services, "tenant-x", from, to, file, "html", TimeProvider.System, Console(progress), TestContext.Current.CancellationToken);

        Assert.Equal(ReportCommand.BadArguments, code);
        Assert.False(file.Exists);
    }
}
