using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Pipeline.Azure.Subjects;
using Pipeline.Cli.Local;
using Pipeline.Cli.Transcripts;
using Pipeline.Host.Configuration;
using Pipeline.Host.Subjects;
using Spectre.Console;
using Pipeline.Azure.Resilience;
using Pipeline.Cli.DeadLetters;

namespace Pipeline.Cli.Subjects;

/// <summary>
/// <c>subjects export</c> and <c>subjects erase</c>: GDPR export and erasure straight against Table Storage, through
/// the same <see cref="SubjectRecords"/> the API uses and the transcript store <see cref="CliTranscripts"/> opens.
/// The subject id is pseudonymised before any lookup and is never printed; audit rows name <c>cli:{user}</c>.
/// </summary>
internal static class SubjectsCommand
{
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant.", Required = true };
        var subject = new Option<string>("--subject") { Description = "The subject's id as the vendor sent it (email or user id), or its pseudonym.", Required = true };
        var output = new Option<string?>("--out") { Description = "Write the JSON document to this file (readable by you only) instead of standard output." };
        var export = new Command("export", "Everything held about a subject as one JSON document (GDPR Art. 15/20).") { tenant, subject, output };
        export.SetAction((result, cancellationToken) =>
            ExportAsync(CliSettings.Load(RepositoryRoot.Find()), result.GetValue(tenant)!, result.GetValue(subject)!, result.GetValue(output), cancellationToken));
        var erase = new Command("erase", "Crypto-shred every transcript the subject took part in (GDPR Art. 17); the erasure is audited.") { tenant, subject };
        erase.SetAction((result, cancellationToken) =>
            EraseAsync(CliSettings.Load(RepositoryRoot.Find()), result.GetValue(tenant)!, result.GetValue(subject)!, cancellationToken));
        return new Command("subjects", "GDPR export and erasure for one subject of one tenant.") { export, erase };
    }

    internal static async Task<int> ExportAsync(IConfiguration configuration, string tenant, string subject, string? outPath, CancellationToken cancellationToken)
    {
        if (!CliServices.TryBuild(configuration, CliTranscripts.Errors, out var services))
        {
            return 2;
        }

        await using var _ = services;
        if (Open(services, tenant, subject) is not { } records)
        {
            return 2;
        }

        // With no --out the document goes to standard output, so the summary goes to standard error.
        var console = outPath is null ? CliTranscripts.Errors : AnsiConsole.Console;
        var completed = false;
        try
        {
            await using var destination = outPath is null ? Console.OpenStandardOutput() : CreatePrivateFile(outPath);
            var summary = await records.ExportAsync(tenant.ToLowerInvariant(), subject, CliTranscripts.Actor, destination, cancellationToken);
            completed = true;
            console.MarkupLineInterpolated($"Exported {summary.Transcripts} transcript(s), {summary.Unreadable} unreadable, {summary.AuditRows} audit row(s){(outPath is null ? "" : $" to {outPath}")}.");
            return 0;
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]Table Storage or the key could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure?[/]");
            return 1;
        }
        finally
        {
            // A half-written export is personal data nobody asked for: do not leave it behind.
            if (!completed && outPath is not null)
            {
                File.Delete(outPath);
            }
        }
    }

    internal static async Task<int> EraseAsync(IConfiguration configuration, string tenant, string subject, CancellationToken cancellationToken)
    {
        // Dead letters hold whole events: the subject's go too (Local: poison queues; Azure: dead-letter subqueues).
        if (!CliServices.TryBuild(configuration, CliTranscripts.Errors, out var services, CliDeadLetters.Register))
        {
            return 2;
        }

        await using var _ = services;
        if (Open(services, tenant, subject) is not { } records)
        {
            return 2;
        }

        try
        {
            var erased = await records.EraseAsync(tenant.ToLowerInvariant(), subject, CliTranscripts.Actor, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"Erased {erased.TranscriptsErased} transcript(s); {erased.IndexRowsRemoved} subject index row(s) and {erased.DeadLettersRemoved} dead letter(s) removed. The erasure is in the audit log.");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]Table Storage could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure?[/]");
            return 1;
        }
    }

    /// <summary>The API's class over the CLI's transcript store; null (reason printed) when the settings do not allow it.</summary>
    private static SubjectRecords? Open(CliServices services, string tenant, string subject)
    {
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(subject))
        {
            CliTranscripts.Errors.MarkupLine("[red]--tenant and --subject must not be empty.[/]");
            return null;
        }

        var (transcripts, problem) = CliTranscripts.Open(services);
        if (transcripts is null)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]{problem}[/]");
            return null;
        }

        // Built as the API builds it for a request.
        return SubjectEndpoints.Records(transcripts.Services.Provider);
    }

    private static FileStream CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
