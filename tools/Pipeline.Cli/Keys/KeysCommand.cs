using System.CommandLine;
using System.Globalization;
using Pipeline.Azure.Keys;
using Pipeline.Cli.Local;
using Pipeline.Cli.Transcripts;
using Spectre.Console;
using Pipeline.Azure.Resilience;

namespace Pipeline.Cli.Keys;

/// <summary><c>keys rewrap</c>: after a key rotation, re-wraps every stored data key under the key's current version.</summary>
internal static class KeysCommand
{
    public const int Stopped = 3;

    public static Command Create()
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's transcripts." };
        var resume = new Option<string?>("--resume") { Description = "Continue a stopped run from the token it printed (with the same --tenant)." };
        var pageSize = new Option<int>("--page-size") { Description = "Headers per page (1–1000).", DefaultValueFactory = _ => 100 };
        var rewrap = new Command("rewrap", "Re-wrap every stored data key under the key's current version (resumable; Ctrl+C stops after printing a resume token).")
        {
            tenant, resume, pageSize,
        };
        rewrap.SetAction((result, cancellationToken) => RewrapAsync(result.GetValue(tenant), result.GetValue(resume), result.GetValue(pageSize), cancellationToken));
        return new Command("keys", "Key-encryption key operations.") { rewrap };
    }

    private static async Task<int> RewrapAsync(string? tenant, string? resume, int pageSize, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > 1000)
        {
            AnsiConsole.MarkupLine("[red]--page-size must be between 1 and 1000.[/]");
            return 2;
        }

        if (!CliServices.TryBuild(AnsiConsole.Console, out var services))
        {
            return 2;
        }

        await using var _ = services;
        var (transcripts, problem) = CliTranscripts.Open(services);
        if (transcripts is null)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{problem}[/]");
            return 2;
        }

        tenant = tenant?.ToLowerInvariant();
        string? storageToken = null;
        if (resume is not null && (storageToken = RewrapResumeToken.TryDecode(tenant, resume)) is null)
        {
            AnsiConsole.MarkupLine("[red]--resume takes the token a stopped run printed, exactly, with the same --tenant (or none).[/]");
            return 2;
        }

        RewrapTotals totals;
        try
        {
            var keyWrapping = new TranscriptKeyWrapping(services.Get<global::Azure.Data.Tables.TableServiceClient>());
            var total = await keyWrapping.CountAsync(tenant, cancellationToken);
            totals = await AnsiConsole.Progress().StartAsync(async context =>
            {
                var task = context.AddTask("Re-wrapping data keys", maxValue: Math.Max(total, 1));
                var progress = new Reporter(t =>
                {
                    task.Value = Math.Min(t.Examined, task.MaxValue);
                    task.Description = $"Re-wrapping data keys: {t.Rewrapped} re-wrapped of {t.Examined} examined";
                });
                var result = await KeyRewrapRun.RunAsync(keyWrapping, transcripts.Protector, tenant, storageToken, pageSize, progress, cancellationToken);
                if (result.Finished)
                {
                    task.Value = task.MaxValue;
                }

                return result;
            });
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Table Storage or the key could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure with unwrap rights on the vault?[/]");
            return 1;
        }

        var table = new Table().AddColumn("Examined").AddColumn("Re-wrapped").AddColumn("Already current").AddColumn("Changed meanwhile").AddColumn("Pages");
        table.AddRow(Count(totals.Examined), Count(totals.Rewrapped), Count(totals.AlreadyCurrent), Count(totals.ChangedMeanwhile), Count(totals.Pages));
        AnsiConsole.Write(table);
        if (totals.Finished)
        {
            AnsiConsole.MarkupLine("[green]Every stored data key is wrapped under the current key version.[/]");
            return 0;
        }

        AnsiConsole.MarkupLine(totals.ResumeToken is { } token
            ? $"[yellow]Stopped. Continue with:[/] keys rewrap{(tenant is null ? "" : " --tenant " + tenant.EscapeMarkup())} --resume {RewrapResumeToken.Encode(tenant, token).EscapeMarkup()}"
            : "[yellow]Stopped before the first page finished; run it again.[/]");
        return Stopped;
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter(Action<RewrapTotals> report) : IProgress<RewrapTotals>
    {
        public void Report(RewrapTotals value) => report(value);
    }
}
