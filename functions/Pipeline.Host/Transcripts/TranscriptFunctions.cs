using Azure.Core;
using Azure.Core.Cryptography;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Transcripts;
using Microsoft.Extensions.Options;
using Pipeline.Azure.KeyVault;
using Pipeline.Core.Transcripts;
using Pipeline.Host.Configuration;
using Pipeline.Host.Invocations;
using Pipeline.Host.Logging;

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
        var mode = builder.Configuration.PipelineMode();
        services.AddValidatedOptions<KeyVaultOptions, KeyVaultOptionsValidator>(KeyVaultOptions.SectionName);
        services.AddOptions<TranscriptOptions>().BindConfiguration(TranscriptOptions.SectionName);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TranscriptOptions>>().Value);
        services.TryAddSingleton(sp => TranscriptKeys.CreateResolver(
            mode, sp.GetRequiredService<KeyVaultOptions>(), sp.GetRequiredService<TokenCredential>, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => TranscriptKeys.CreateProtector(
            mode, sp.GetRequiredService<KeyVaultOptions>(), sp.GetRequiredService<TranscriptOptions>(), sp.GetRequiredService<IKeyEncryptionKeyResolver>()));
        services.AddSingleton<TranscriptTableStore>();
        services.AddSingleton<TranscriptReader>();
        services.AddSingleton<TranscriptAccess>();
        services.AddSingleton<EncryptTranscriptHandler>();
        services.AddSingleton(ServiceBusFunction.Create(EncryptTranscript, TopicSubscriptions.Transcripts, async (pipelineEvent, message, sp, cancellationToken) =>
        {
            var handling = await sp.GetRequiredService<EncryptTranscriptHandler>().HandleAsync(pipelineEvent, cancellationToken);
            Log.TranscriptHandled(sp.GetRequiredService<ILogger<EncryptTranscriptHandler>>(), pipelineEvent.EventId, handling.Outcome);
            return InvocationResult.Success(
                $"{EncryptTranscript}: event {pipelineEvent.EventId} {handling.Outcome} ({handling.Reason}; delivery {message.DeliveryCount}).");
        }));
        return builder;
    }
}
