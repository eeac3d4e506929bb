using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Cli.Local;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Configuration;
using Spectre.Console;

namespace Pipeline.Cli.Audit;

/// <summary>
/// <c>audit query</c> and <c>audit verify</c> (SPEC §7): the operator's path, straight to Table
/// Storage with the handler's configuration. Progress goes to stderr, so JSON and CSV on stdout stay clean.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant id.", Required = true };
        var from = new Option<DateTimeOffset>("--from") { Description = "Start (ISO 8601, UTC unless an offset is given).", Required = true };
        var to = new Option<DateTimeOffset>("--to") { Description = "End (ISO 8601, exclusive for query, its whole UTC day for verify).", Required = true };
        var action = new Option<string?>("--action") { Description = "Only rows with this action, e.g. event.accepted." };
        var subject = new Option<string?>("--subject") { Description = "Only rows about this subject: a pseudonym or a raw identifier (pseudonymised here)." };
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");

        var query = new Command("query", "Read a tenant's audit rows for a time range from Table Storage, paging through all of them.")
        {
            tenant, from, to, action, subject, format,
        };
        query.SetAction(async (result, cancellationToken) =>
        {
            if (!CliServices.TryBuild(Progress(), out var services))
            {
                return 2;
            }

            await using var _ = services;
            return await QueryAsync(services.Get<AuditOptions>(), services.Get<TableServiceClient>(), new AuditQuery(result.GetValue(tenant)!.ToLowerInvariant(), result.GetValue(from), result.GetValue(to), result.GetValue(action), result.GetValue(subject), 1000, null),
                result.GetValue(format)!, Console.Out, Progress(), cancellationToken);
        });

        var verify = new Command("verify", "Recompute the hash chain of a tenant's audit partitions and report the first break.") { tenant, from, to };
        verify.SetAction(async (result, cancellationToken) =>
        {
            if (!CliServices.TryBuild(Progress(), out var services))
            {
                return 2;
            }

            await using var _ = services;
            return await VerifyAsync(services.Get<PipelineOptions>(), services.Get<AuditOptions>(), services.Get<TableServiceClient>(), result.GetValue(tenant)!.ToLowerInvariant(), result.GetValue(from), result.GetValue(to), TimeProvider.System.GetUtcNow(), Progress(), cancellationToken);
        });

        return new Command("audit", "Query and verify the audit trail.") { query, verify };
    }

    /// <summary>Pages through every matching row; writes them in <paramref name="format"/>. Exit code 0, or 2 for bad input.</summary>
    internal static async Task<int> QueryAsync(AuditOptions audit, TableServiceClient tables, AuditQuery query, string format, TextWriter output, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        if (query.To <= query.From)
        {
            progress.MarkupLine("[red]--to must be after --from.[/]");
            return 2;
        }

        if (query.SubjectPseudonym is { Length: > 0 } subject)
        {
            if (audit.PseudonymKey is not { Length: > 0 } key)
            {
                progress.MarkupLine("[red]Pipeline:Audit:PseudonymKey is not configured; --subject needs it.[/]");
                return 2;
            }

            query = query with { SubjectPseudonym = Pseudonyms.Normalize(key, subject) };
        }

        var reader = new AuditTableReader(tables);
        var rows = new List<AuditEntry>();
        await progress.Status().StartAsync("Reading audit rows…", async context =>
        {
            string? continuation = null;
            do
            {
                var page = await reader.QueryAsync(query with { ContinuationToken = continuation }, cancellationToken);
                rows.AddRange(page.Items);
                continuation = page.ContinuationToken;
                context.Status($"Read {rows.Count} rows…");
            }
            while (continuation is not null);
        });

        switch (format)
        {
            case "json":
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(AuditItem.From), AuditCliJson.Options));
                break;
            case "csv":
                await output.WriteLineAsync("timestamp,action,outcome,actor,resourceType,resourceId,eventId,subject,details");
                foreach (var row in rows)
                {
                    await output.WriteLineAsync(string.Join(',', new[]
                    {
                        row.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), row.Action, row.Outcome, row.Actor, row.ResourceType,
                        row.ResourceId, row.EventId, row.Subject, JsonSerializer.Serialize(row.Details, AuditCliJson.Compact),
                    }.Select(Csv)));
                }

                break;
            default:
                var table = new Table().AddColumns("timestamp", "action", "outcome", "actor", "resource", "subject", "details");
                foreach (var row in rows)
                {
                    var details = string.Join(' ', row.Details.Select(d => $"{d.Key}={(d.Value.Length > 60 ? d.Value[..60] + "…" : d.Value)}"));
                    table.AddRow(new[] { row.Timestamp.UtcDateTime.ToString("u", CultureInfo.InvariantCulture), row.Action, row.Outcome, row.Actor, $"{row.ResourceType}/{row.ResourceId}", row.Subject ?? "", details }
                        .Select(text => new Text(text)).ToArray());
                }

                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
                console.Write(table);
                break;
        }

        progress.MarkupLine($"[green]{rows.Count} row(s).[/]");
        return 0;
    }

    /// <summary>Exit code 0 when the chain is intact, 1 at the first break (reported), 2 for bad input.</summary>
    internal static async Task<int> VerifyAsync(PipelineOptions options, AuditOptions audit, TableServiceClient tables, string tenant, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        if (to < from || audit.PseudonymKey is not { Length: > 0 } key)
        {
            progress.MarkupLine(to < from ? "[red]--to must not be before --from.[/]" : "[red]Pipeline:Audit:PseudonymKey is not configured; the chain key derives from it.[/]");
            return 2;
        }

        var retentionDays = options.Tenants.TryGetValue(tenant, out var tenantOptions) ? tenantOptions.Privacy.AuditRetentionDays : new PrivacyOptions().AuditRetentionDays;
        var verifier = new AuditChainVerifier(tables, AuditChain.DeriveKey(key));
        ChainReport? report = null;
        await progress.Status().StartAsync("Verifying…", async context =>
        {
            report = await verifier.VerifyAsync(tenant, from, to, now.AddDays(-retentionDays), new Progress<string>(partition => context.Status($"Verifying {partition}…")), cancellationToken);
        });

        if (report!.Break is { } chainBreak)
        {
            progress.MarkupLineInterpolated($"[red]Chain broken in {chainBreak.Partition} at {chainBreak.RowKey} (seq {chainBreak.Seq?.ToString(CultureInfo.InvariantCulture) ?? "-"}): {chainBreak.Reason}[/]");
            return 1;
        }

        progress.MarkupLineInterpolated($"[green]Intact: {report.Rows} row(s) in {report.Partitions} partition(s).[/]");
        return 0;
    }

    private static IAnsiConsole Progress() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    private static string Csv(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

internal static class AuditCliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>One line per value, for a CSV cell.</summary>
    public static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web);
}
