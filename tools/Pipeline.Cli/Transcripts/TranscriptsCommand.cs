using System.CommandLine;
using Pipeline.Cli.Local;
using Spectre.Console;
using Pipeline.Azure.Resilience;

namespace Pipeline.Cli.Transcripts;

/// <summary><c>transcripts get</c>: decrypts one transcript from Table Storage, audited like an API read.</summary>
internal static class TranscriptsCommand
{
    public const int NotFound = 3;
    public const int Unreadable = 4;

    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant.", Required = true };
        var id = new Option<string>("--id") { Description = "The transcript id (TwinMind data.transcript_id).", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "Write the transcript to this file (owner-only on Unix) instead of standard output." };
        var get = new Command("get", "Decrypt and print one transcript (audited as transcript.read, actor cli:{user}).") { tenant, id, output };
        get.SetAction((result, cancellationToken) => GetAsync(result.GetValue(tenant)!, result.GetValue(id)!, result.GetValue(output), cancellationToken));
        return new Command("transcripts", "Stored transcript operations.") { get };
    }

    private static async Task<int> GetAsync(string tenant, string transcriptId, FileInfo? output, CancellationToken cancellationToken)
    {
        if (!Pipeline.Core.Transcripts.TranscriptIds.IsValid(transcriptId))
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]--id is not a transcript id (1-{Pipeline.Core.Transcripts.TranscriptIds.MaxLength} letters, digits, '.', '_', ':' or '-').[/]");
            return 2;
        }

        if (!CliServices.TryBuild(CliTranscripts.Errors, out var services))
        {
            return 2;
        }

        await using var _ = services;
        var (transcripts, problem) = CliTranscripts.Open(services);
        if (transcripts is null)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]{problem}[/]");
            return 2;
        }

        tenant = tenant.ToLowerInvariant();
        Azure.Transcripts.TranscriptReadResult read;
        try
        {
            read = await transcripts.Access.ReadAsync(tenant, transcriptId, CliTranscripts.Actor, cancellationToken);
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]Table Storage or the key could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure with access to the vault?[/]");
            return 1;
        }

        if (!read.Found)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[yellow]No transcript '{transcriptId}' in tenant '{tenant}' (never stored, expired or deleted).[/]");
            return NotFound;
        }

        if (read.Opened is not { Succeeded: true, Plaintext: { } plaintext } opened)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]The stored transcript did not open ({read.Opened?.Failure}): {read.Opened?.Reason} Nothing of it is shown.[/]");
            return Unreadable;
        }

        if (output is null)
        {
            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(plaintext, cancellationToken);
            return 0;
        }

        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(output.FullName, file))
        {
            await stream.WriteAsync(plaintext, cancellationToken);
        }

        CliTranscripts.Errors.MarkupLineInterpolated($"Wrote transcript '{transcriptId}' ({plaintext.Length} bytes, stored {read.Record!.StoredAt:yyyy-MM-dd}, expires {read.Record.ExpiresAt:yyyy-MM-dd}) to {output.FullName}.");
        return 0;
    }
}
