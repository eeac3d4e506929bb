using System.CommandLine;
using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Core.Webhooks;
using Pipeline.Azure.Reports;
using Pipeline.Azure.Keys;
using Pipeline.Cli.Local;
using Pipeline.Cli.Secrets;
using Pipeline.Cli.Transcripts;
using Pipeline.Core.Configuration;
using Pipeline.Core.Reports;
using Pipeline.Host.Reports;
using Pipeline.Host.Transcripts;
using Spectre.Console;
using Pipeline.Azure.Resilience;
using Pipeline.Cli.DeadLetters;

namespace Pipeline.Cli.Reports;

/// <summary>
/// <c>report</c>: the compliance report (issue 14) for one tenant and period, written to a file as self-contained
/// HTML or as JSON. Progress goes to stderr. Unlike the API, the CLI reads webhook secret ages from Key Vault,
/// as <c>secrets status</c> does. Making the report is audited (<c>report.generated</c>, actor <c>cli:{user}</c>).
/// </summary>
internal static class ReportCommand
{
    /// <summary>The report was written and the chain is intact.</summary>
    public const int Intact = 0;

    /// <summary>The report was written and shows a chain break.</summary>
    public const int ChainBroken = 1;

    /// <summary>Bad arguments or configuration.</summary>
    public const int BadArguments = 2;

    /// <summary>Storage, Key Vault or Service Bus could not be read.</summary>
    public const int Unavailable = 3;

    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant id.", Required = true };
        var from = new Option<string>("--from") { Description = "First day (yyyy-MM-dd, UTC).", Required = true };
        var to = new Option<string>("--to") { Description = "Last day (yyyy-MM-dd, UTC), included.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "File to write, e.g. report.html.", Required = true };
        var format = new Option<string>("--format") { Description = "html or json.", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("html", "json");
        var command = new Command("report", "Write a tenant's compliance report for a period: chain verified per day, events in and refused, transcripts, subject requests, retention, keys, secrets, dead letters, configuration, access review.")
        {
            tenant, from, to, output, format,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!CliServices.TryBuild(CliTranscripts.Errors, out var services, CliDeadLetters.Register))
            {
                return BadArguments;
            }

            await using var _ = services;
            return await RunAsync(services, result.GetValue(tenant)!.ToLowerInvariant(), result.GetValue(from), result.GetValue(to), result.GetValue(output)!, result.GetValue(format)!, TimeProvider.System, CliTranscripts.Errors, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(CliServices services, string tenant, string? from, string? to, FileInfo output, string format, TimeProvider timeProvider, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        if (ReportPeriod.TryParse(from, to, out var error) is not { } period)
        {
            progress.MarkupLineInterpolated($"[red]{error}[/]");
            return BadArguments;
        }

        ArgumentNullException.ThrowIfNull(services);
        var options = services.Get<PipelineOptions>();
        var webhooks = services.Get<WebhookOptions>();
        if (services.Get<AuditOptions>().PseudonymKey is not { Length: > 0 } pseudonymKey)
        {
            progress.MarkupLine("[red]Pipeline:Audit:PseudonymKey is not configured; the chain key derives from it.[/]");
            return BadArguments;
        }

        try
        {
            var credential = services.Get<TokenCredential>();
            var tables = services.Get<TableServiceClient>();
            var builder = new ComplianceReportBuilder(
                new AuditChainVerifier(tables, AuditChain.DeriveKey(pseudonymKey)),
                new TranscriptKeyWrapping(tables),
                services.Get<DeadLetterOperations>(),
                options,
                webhooks,
                services.Get<RetentionOptions>(),
                timeProvider)
            {
                KeyCreated = TranscriptKeys.CreatedLookup(options.Mode, services.Get<KeyVaultOptions>(), () => credential),
            };
            var secrets = await SecretsStatus.ForReportAsync(
                options, webhooks, tenant, SecretsStatus.ClientsFor(credential), timeProvider.GetUtcNow(), cancellationToken);

            ComplianceReport? report = null;
            await progress.Progress().StartAsync(async context =>
            {
                var reading = context.AddTask($"Reading and verifying {tenant}'s audit days", maxValue: period.DayCount);
                report = await builder.BuildAsync(tenant, period, CliTranscripts.Actor, secrets, new Progress<int>(days => reading.Value = days), cancellationToken);
                reading.Value = period.DayCount;
            });

            await File.WriteAllTextAsync(output.FullName, format == "json" ? JsonSerializer.Serialize(report!, ReportJson.Options) : ComplianceReportHtml.Render(report!), cancellationToken);
            await AuditTableWriter.ForPseudonymKey(tables, pseudonymKey).WriteAsync(report!.ToAuditEntry(format), cancellationToken);
            progress.MarkupLineInterpolated($"Wrote {output.FullName}: {report.Chain.Sum(d => d.Rows)} audit rows over {period.DayCount} days.");
            if (report.FirstBreak is { } broken)
            {
                progress.MarkupLineInterpolated($"[red]The audit chain is broken on {broken.Day:yyyy-MM-dd}: {broken.Break!.Reason}[/]");
                return ChainBroken;
            }

            progress.MarkupLine("[green]The audit chain is intact.[/]");
            return Intact;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || TransientFailure.Is(e, cancellationToken))
        {
            progress.MarkupLineInterpolated($"[red]Could not make the report: {e.GetType().Name}: {e.Message}[/]");
            return e is IOException or UnauthorizedAccessException ? BadArguments : Unavailable;
        }
    }
}
