using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
using Pipeline.Cli.Local;
using Pipeline.Core.Configuration;
using Pipeline.Host.Transcripts;
using Spectre.Console;

namespace Pipeline.Cli.Transcripts;

/// <summary>
/// The transcript store as the handler sees it, opened from the operator's machine: the same settings, the same
/// key resolution (Local mode: the key file; Azure mode: Key Vault with the signed-in identity through
/// DefaultAzureCredential), Table Storage directly.
/// </summary>
internal sealed record CliTranscripts(TranscriptTableStore Store, TranscriptProtector Protector, TranscriptAccess Access, CliServices Services)
{
    /// <summary>Who the CLI's audit rows name as the actor.</summary>
    public static string Actor => $"cli:{Environment.UserName}";

    /// <summary>The store, or why it cannot be opened with this configuration.</summary>
    /// <remarks>The services are the caller's to dispose: <paramref name="services"/> holds what they opened.</remarks>
    public static (CliTranscripts? Transcripts, string? Problem) Open(CliServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Get<PipelineOptions>().Mode == PipelineMode.Local
            && TranscriptKeys.LocalKeyPath(services.Get<KeyVaultOptions>()) is var path && !File.Exists(path))
        {
            return (null, $"No local key file at {path}: nothing stored in Local mode can be opened. Run the pipeline (`up`) first, or set Pipeline:KeyVault:LocalKeyFile.");
        }

        try
        {
            return (new CliTranscripts(services.Get<TranscriptTableStore>(), services.Get<TranscriptProtector>(), services.Get<TranscriptAccess>(), services), null);
        }
        catch (InvalidOperationException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Errors go to standard error, so standard output carries only what was asked for.</summary>
    public static IAnsiConsole Errors { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
}
