using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Cryptography;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Transcripts;
using Pipeline.Host.Configuration;
using Pipeline.Host.Invocations;
using Pipeline.Host.Local;

namespace Pipeline.Host.Transcripts;

internal static class TranscriptFunctions
{
    public const string EncryptTranscript = "EncryptTranscript";

    /// <summary>
    /// The key-encryption key by mode (Local: the key file under <c>.data/keys</c>; Azure: Key Vault over
    /// REST with the app's credential), envelope encryption, the transcript store and its reader, and the
    /// EncryptTranscript function on the <c>transcripts</c> subscription. The key resolver is a seam,
    /// registered with TryAdd so a caller (a test) may supply its own.
    /// </summary>
    public static WebApplicationBuilder AddTranscripts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var local = builder.Configuration.PipelineMode() == PipelineMode.Local;
        if (local)
        {
            services.TryAddSingleton<IKeyEncryptionKeyResolver>(sp => LocalKeyFile.OpenOrCreate(LocalKeyPath(sp.GetRequiredService<PipelineOptions>())));
        }
        else
        {
            services.AddSingleton(sp => new KeyVaultKeyClient(
                VaultKey(sp.GetRequiredService<PipelineOptions>()).VaultUri,
                sp.GetRequiredService<TokenCredential>(),
                new KeyVaultKeyClientOptions()));
            services.TryAddSingleton<IKeyEncryptionKeyResolver>(sp => new KeyVaultKeyResolver(
                sp.GetRequiredService<KeyVaultKeyClient>(), sp.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<PipelineOptions>();
            return new TranscriptProtector(
                sp.GetRequiredService<IKeyEncryptionKeyResolver>(),
                local ? LocalKeyFile.KeyName : VaultKey(options).ToString(),
                options.Transcripts.Compress ? TranscriptCompression.Brotli : TranscriptCompression.None);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<PipelineOptions>();
            return new SubjectPseudonymizer(options.Audit.PseudonymKey is { Length: > 0 } key
                ? Encoding.UTF8.GetBytes(key)
                : LocalPseudonymKey(Path.GetDirectoryName(LocalKeyPath(options))!));
        });
        services.AddSingleton<TranscriptTableStore>();
        services.AddSingleton<TranscriptReader>();
        services.AddSingleton<EncryptTranscriptHandler>();
        services.AddSingleton(ServiceBusFunction.Create(EncryptTranscript, async (pipelineEvent, message, sp, cancellationToken) =>
        {
            var handling = await sp.GetRequiredService<EncryptTranscriptHandler>().HandleAsync(pipelineEvent, cancellationToken);
            Log.TranscriptHandled(sp.GetRequiredService<ILogger<EncryptTranscriptHandler>>(), pipelineEvent.EventId, handling.Outcome);
            return InvocationResult.Success(
                $"{EncryptTranscript}: event {pipelineEvent.EventId} {handling.Outcome} ({handling.Reason}; delivery {message.DeliveryCount}).");
        }));
        return builder;
    }

    private static KeyVaultKeyId VaultKey(PipelineOptions options) =>
        KeyVaultKeyId.TryParse(options.KeyVault.KeyId, out var keyId) && keyId.Version is null
            ? keyId
            : throw new InvalidOperationException("Pipeline:KeyVault:KeyId must be a versionless Key Vault key URI.");

    private static string LocalKeyPath(PipelineOptions options) =>
        options.KeyVault.LocalKeyFile is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(RepositoryRoot.Find(), ".data", "keys", "local-kek.json");

    /// <summary>Local mode without a configured pseudonym key: one generated on first run beside the key file.</summary>
    private static byte[] LocalPseudonymKey(string directory)
    {
        var path = Path.Combine(directory, "pseudonym.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(directory);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created concurrently; read that one.
            }
        }

        return Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
    }
}
