using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Host.Privacy;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Audit;

internal static class AuditFunctions
{
    public const string WriteAudit = "WriteAudit";

    /// <summary>The audit writer every feature shares, and the WriteAudit function on the <c>audit</c> subscription.</summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.AddRedaction();
        builder.Services.AddSingleton(sp => new AuditTableWriter(sp.GetRequiredService<TableServiceClient>(), ChainKey(sp)));
        builder.Services.AddSingleton(sp => new AuditChainVerifier(sp.GetRequiredService<TableServiceClient>(), ChainKey(sp)));
        builder.Services.AddSingleton<AuditTableReader>();
        builder.Services.AddSingleton<WriteAuditHandler>();
        builder.Services.AddSingleton(ServiceBusFunction.Create(WriteAudit, async (pipelineEvent, message, services, cancellationToken) =>
        {
            var rows = await services.GetRequiredService<WriteAuditHandler>().HandleAsync(pipelineEvent, cancellationToken);
            Log.AuditWritten(services.GetRequiredService<ILogger<WriteAuditHandler>>(), pipelineEvent.EventId, rows.Count, EventAudit.SubjectsOf(pipelineEvent) is [var first, ..] ? first : null);
            return InvocationResult.Success($"{WriteAudit}: audit row for {pipelineEvent.EventId} (delivery {message.DeliveryCount}).");
        }));
        return builder;
    }

    private static byte[] ChainKey(IServiceProvider services) =>
        AuditChain.DeriveKey(services.GetRequiredService<PipelineOptions>().Audit.PseudonymKey);
}
