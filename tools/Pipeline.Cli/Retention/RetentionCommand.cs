using System.CommandLine;
using System.Globalization;
using Pipeline.Azure.Retention;
using Pipeline.Cli.Local;
using Pipeline.Core.Configuration;
using Spectre.Console;
using Pipeline.Azure.Resilience;
using Pipeline.Cli.DeadLetters;

namespace Pipeline.Cli.Retention;

/// <summary><c>retention run</c>: the retention policy on demand, reading and deleting in Table Storage directly.</summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var asOf = new Option<string?>("--as-of") { Description = "Apply the policy as if it were this date/time (ISO 8601, UTC); default now." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted; delete nothing." };
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant." };
        var budget = new Option<int>("--budget-seconds") { Description = "Stop cleanly after this long; run again to continue.", DefaultValueFactory = _ => 3600 };
        var run = new Command("run", "Delete what each tenant's retention policy says has expired.") { asOf, dryRun, tenant, budget };
        run.SetAction((result, cancellationToken) => RunAsync(result.GetValue(asOf), result.GetValue(dryRun), result.GetValue(tenant), result.GetValue(budget), cancellationToken));
        return new Command("retention", "Retention policy operations.") { run };
    }

    private static async Task<int> RunAsync(string? asOfText, bool dryRun, string? tenant, int budgetSeconds, CancellationToken cancellationToken)
    {
        var asOf = TimeProvider.System.GetUtcNow();
        if (asOfText is not null && !DateTimeOffset.TryParse(asOfText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out asOf))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]--as-of '{asOfText}' is not a date (use e.g. 2027-03-01 or 2027-03-01T02:00:00Z).[/]");
            return 2;
        }

        if (!CliServices.TryBuild(AnsiConsole.Console, out var services, CliDeadLetters.Register))
        {
            return 2;
        }

        await using var _ = services;
        var runner = services.Get<RetentionRunner>();
        var options = services.Get<PipelineOptions>();
        RetentionReport report;
        try
        {
            report = await AnsiConsole.Progress().StartAsync(async context =>
            {
                // One step per tenant and kind (dead letters, transcripts, audit rows).
                var count = 3 * (tenant is null ? Math.Max(options.Tenants.Count, 1) : 1);
                var task = context.AddTask(dryRun ? "Counting expired rows" : "Deleting expired rows", maxValue: count);
                var progress = new Progress<RetentionResult>(_ => task.Increment(1));
                var result = await runner.RunAsync(new RetentionRequest(asOf, dryRun, tenant, TimeSpan.FromSeconds(budgetSeconds)), progress, cancellationToken);
                task.Value = task.MaxValue;
                return result;
            });
        }
        catch (ArgumentException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Table Storage could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure?[/]");
            return 1;
        }

        var table = new Table().AddColumn("Tenant").AddColumn("Kind").AddColumn(new TableColumn(dryRun ? "Would delete" : "Deleted").RightAligned()).AddColumn("Finished");
        foreach (var result in report.Results)
        {
            table.AddRow(result.Tenant, result.Kind, result.Rows.ToString(CultureInfo.InvariantCulture), result.Finished ? "yes" : "no (budget)");
        }

        AnsiConsole.MarkupLineInterpolated($"Retention as of {asOf:yyyy-MM-dd HH:mm:ss} UTC{(dryRun ? " (dry run: nothing deleted)" : "")}, {report.Duration.TotalSeconds:F1} s:");
        AnsiConsole.Write(table);
        return 0;
    }
}
