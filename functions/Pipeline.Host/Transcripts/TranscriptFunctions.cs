using Pipeline.Host.Invocations;

namespace Pipeline.Host.Transcripts;

internal static class TranscriptFunctions
{
    public const string EncryptTranscript = "EncryptTranscript";

    /// <summary>
    /// EncryptTranscript on the <c>transcripts</c> subscription. Envelope encryption is not built yet
    /// (issue 4), so every delivery fails on purpose: the message is retried and then dead-lettered
    /// (the poison queue in Local mode), never acknowledged and lost.
    /// </summary>
    public static WebApplicationBuilder AddTranscripts(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(ServiceBusFunction.Create(EncryptTranscript, (pipelineEvent, _, _, _) =>
            Task.FromResult(InvocationResult.Failure(
                $"{EncryptTranscript}: transcript storage is not available yet; event {pipelineEvent.EventId} stays on the subscription."))));
        return builder;
    }
}
