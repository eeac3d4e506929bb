using Microsoft.Extensions.DependencyInjection.Extensions;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Host.Configuration;
using Pipeline.Host.Privacy;

namespace Pipeline.Host.Audit;

internal static class AuditFunctions
{
    public const string WriteAudit = "WriteAudit";

    /// <summary>The audit writer every feature shares, and the WriteAudit function on the <c>audit</c> subscription (batches: <see cref="WriteAuditFunction"/>), and the daily VerifyAuditChain timer.</summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AuditOptions, AuditOptionsValidator>(
            AuditOptions.SectionName,
            (options, configuration) => options.VerifySchedule = BindingSettings.Override(configuration, BindingSettings.AuditVerifySchedule, options.VerifySchedule));
        builder.AddRedaction();
        // TryAdd: a test may bring a writer whose storage client fails on cue.
        builder.Services.TryAddSingleton(sp => new AuditTableWriter(sp.GetRequiredService<TableServiceClient>(), ChainKey(sp)));
        builder.Services.AddSingleton(sp => new AuditChainVerifier(sp.GetRequiredService<TableServiceClient>(), ChainKey(sp)));
        builder.Services.AddSingleton<AuditTableReader>();
        builder.Services.AddSingleton<WriteAuditHandler>();
        builder.Services.AddSingleton(WriteAuditFunction.Create());
        builder.Services.AddSingleton<DailyChainVerification>();
        builder.Services.AddSingleton(VerifyAuditChainFunction.Create());
        return builder;
    }

    private static byte[] ChainKey(IServiceProvider services) =>
        AuditChain.DeriveKey(services.GetRequiredService<AuditOptions>().PseudonymKey);
}
