using Pipeline.Azure.Audit;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Audit;

internal static class AuditFunctions
{
    public const string WriteAudit = "WriteAudit";

    /// <summary>The audit writer every feature shares, and the WriteAudit function on the <c>audit</c> subscription.</summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditTableWriter>();
        builder.Services.AddSingleton<AuditTableReader>();
        builder.Services.AddSingleton<WriteAuditHandler>();
        builder.Services.AddSingleton(ServiceBusFunction.Create(WriteAudit, async (pipelineEvent, message, services, cancellationToken) =>
        {
            await services.GetRequiredService<WriteAuditHandler>().HandleAsync(pipelineEvent, cancellationToken);
            Log.AuditWritten(services.GetRequiredService<ILogger<WriteAuditHandler>>(), pipelineEvent.EventId);
            return InvocationResult.Success($"{WriteAudit}: audit row for {pipelineEvent.EventId} (delivery {message.DeliveryCount}).");
        }));
        return builder;
    }
}
