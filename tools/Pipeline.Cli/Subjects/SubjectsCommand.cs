using System.CommandLine;
using Azure;
using Azure.Core.Cryptography;
using Azure.Data.Tables;
using Azure.Identity;
using Pipeline.Azure.Audit;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Subjects;
using Pipeline.Azure.Transcripts;
using Pipeline.Cli.Local;
using Pipeline.Core.Configuration;
using Pipeline.Core.Transcripts;
using Pipeline.Host.Local;
using Pipeline.Host.Transcripts;
using Spectre.Console;

namespace Pipeline.Cli.Subjects;

/// <summary>
/// <c>subjects export</c> and <c>subjects erase</c>: GDPR export and erasure straight against Table Storage, through
/// the same <see cref="SubjectRecords"/> the API uses. The subject id is pseudonymised before any lookup and is never
/// printed; the audit rows name the operator as <c>cli:{user}</c>.
/// </summary>
internal static class SubjectsCommand
{
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant.", Required = true };
        var subject = new Option<string>("--subject") { Description = "The subject's id as the vendor sent it (email or user id), or its pseudonym.", Required = true };
        var output = new Option<string?>("--out") { Description = "Write the JSON document to this file (readable by you only) instead of standard output." };
        var export = new Command("export", "Everything held about a subject as one JSON document (GDPR Art. 15/20).") { tenant, subject, output };
        export.SetAction((result, cancellationToken) => WithStorageAsync((options, tables) =>
            ExportAsync(options, tables, result.GetValue(tenant)!, result.GetValue(subject)!, result.GetValue(output), cancellationToken)));
        var erase = new Command("erase", "Crypto-shred every transcript the subject took part in (GDPR Art. 17); the erasure is audited.") { tenant, subject };
        erase.SetAction((result, cancellationToken) => WithStorageAsync((options, tables) =>
            EraseAsync(options, tables, result.GetValue(tenant)!, result.GetValue(subject)!, cancellationToken)));
        return new Command("subjects", "GDPR export and erasure for one subject of one tenant.") { export, erase };
    }

    /// <summary>Loads the settings and the table client; a storage setting missing is exit 2 with the key named.</summary>
    private static Task<int> WithStorageAsync(Func<PipelineOptions, TableServiceClient, Task<int>> run)
    {
        var options = CliStorage.LoadOptions(CliSettings.Load(RepositoryRoot.Find()));
        TableServiceClient tables;
        try
        {
            tables = CliStorage.Tables(options);
        }
        catch (InvalidOperationException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return Task.FromResult(2);
        }

        return run(options, tables);
    }

    internal static async Task<int> ExportAsync(PipelineOptions options, TableServiceClient tables, string tenant, string subject, string? outPath, CancellationToken cancellationToken)
    {
        if (Invalid(options, tenant, subject) is { } code)
        {
            return code;
        }

        // With no --out the document goes to standard output, so the summary goes to standard error.
        var console = outPath is null ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
        var completed = false;
        try
        {
            await using var destination = outPath is null ? Console.OpenStandardOutput() : CreatePrivateFile(outPath);
            var summary = await Records(options, tables).ExportAsync(tenant.ToLowerInvariant(), subject, Actor, destination, cancellationToken);
            completed = true;
            console.MarkupLineInterpolated($"Exported {summary.Transcripts} transcript(s), {summary.Unreadable} unreadable, {summary.AuditRows} audit row(s){(outPath is null ? "" : $" to {outPath}")}.");
            return 0;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or AuthenticationFailedException)
        {
            console.MarkupLineInterpolated($"[red]Storage or the key could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure?[/]");
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

    internal static async Task<int> EraseAsync(PipelineOptions options, TableServiceClient tables, string tenant, string subject, CancellationToken cancellationToken)
    {
        if (Invalid(options, tenant, subject) is { } code)
        {
            return code;
        }

        try
        {
            var erased = await Records(options, tables).EraseAsync(tenant.ToLowerInvariant(), subject, Actor, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"Erased {erased.TranscriptsErased} transcript(s); {erased.IndexRowsRemoved} subject index row(s) removed. The erasure is in the audit log.");
            return 0;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or AuthenticationFailedException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Table Storage could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure?[/]");
            return 1;
        }
    }

    private static string Actor => $"cli:{Environment.UserName}";

    private static int? Invalid(PipelineOptions options, string tenant, string subject)
    {
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(subject))
        {
            AnsiConsole.MarkupLine("[red]--tenant and --subject must not be empty.[/]");
            return 2;
        }

        if (string.IsNullOrEmpty(options.Audit.PseudonymKey))
        {
            AnsiConsole.MarkupLine("[red]Pipeline:Audit:PseudonymKey is not set; run `up` once to generate local.settings.json.[/]");
            return 2;
        }

        if (options.Mode == PipelineMode.Azure && !(KeyVaultKeyId.TryParse(options.KeyVault.KeyId, out var keyId) && keyId.Version is null))
        {
            AnsiConsole.MarkupLine("[red]Pipeline:KeyVault:KeyId must be a versionless Key Vault key URI.[/]");
            return 2;
        }

        return null;
    }

    /// <summary>The API's classes over the CLI's own clients: the local key file in Local mode, Key Vault as the signed-in user in Azure.</summary>
    private static SubjectRecords Records(PipelineOptions options, TableServiceClient tables)
    {
        IKeyEncryptionKeyResolver resolver;
        string keyName;
        if (options.Mode == PipelineMode.Local)
        {
            resolver = LocalKeyFile.OpenOrCreate(TranscriptFunctions.LocalKeyPath(options));
            keyName = LocalKeyFile.KeyName;
        }
        else
        {
            var vaultKey = TranscriptFunctions.VaultKey(options);
            resolver = new KeyVaultKeyResolver(new KeyVaultKeyClient(vaultKey.VaultUri, new DefaultAzureCredential(), new KeyVaultKeyClientOptions()), TimeProvider.System);
            keyName = vaultKey.ToString();
        }

        var store = new TranscriptTableStore(tables);
        var protector = new TranscriptProtector(resolver, keyName, options.Transcripts.Compress ? TranscriptCompression.Brotli : TranscriptCompression.None);
        return new SubjectRecords(
            store, new TranscriptReader(store, protector, TimeProvider.System), new AuditTableReader(tables), new AuditTableWriter(tables), options, TimeProvider.System);
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
