using Azure.Core;
using Azure.Core.Cryptography;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Transcripts;
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

    internal static KeyVaultKeyId VaultKey(PipelineOptions options) =>
        KeyVaultKeyId.TryParse(options.KeyVault.KeyId, out var keyId) && keyId.Version is null
            ? keyId
            : throw new InvalidOperationException("Pipeline:KeyVault:KeyId must be a versionless Key Vault key URI.");

    internal static string LocalKeyPath(PipelineOptions options) =>
        options.KeyVault.LocalKeyFile is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(RepositoryRoot.Find(), ".data", "keys", "local-kek.json");
}
