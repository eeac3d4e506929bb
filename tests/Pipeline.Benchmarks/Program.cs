using BenchmarkDotNet.Running;

namespace Pipeline.Benchmarks;

internal static class Program
{
    /// <summary><c>load ...</c> runs the HTTP load comparison (Webhooks/IngressLoad.cs), <c>load unique ...</c> the new-event run (Webhooks/UniqueEventLoad.cs), <c>retention ...</c> the purge load (Retention/RetentionLoad.cs), <c>soak [N]</c> the fault-injection soak (Soak/SoakLoad.cs), <c>report [rows] [days]</c> the compliance report load (Reports/ReportLoad.cs), <c>audit-concurrency [rows] [seeded] [writers,...]</c> concurrent audit writers on one partition (Audit/AuditConcurrencyLoad.cs), <c>audit-burst [events] [handlers]</c> a burst drained through Local mode one message vs batches per invocation (Audit/AuditBurstLoad.cs); anything else goes to BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", "unique", .. var uniqueArgs])
        {
            return await Webhooks.UniqueEventLoad.RunAsync(uniqueArgs);
        }

        if (args is ["load", .. var loadArgs])
        {
            return await Webhooks.IngressLoad.RunAsync(loadArgs);
        }

        if (args is ["soak", .. var soakArgs])
        {
            return await Soak.SoakLoad.RunAsync(soakArgs);
        }

        if (args is ["retention", .. var retentionArgs])
        {
            return await Retention.RetentionLoad.RunAsync(retentionArgs);
        }

        if (args is ["report", .. var reportArgs])
        {
            return await Reports.ReportLoad.RunAsync(reportArgs);
        }

        if (args is ["audit-burst", .. var burstArgs])
        {
            return await Audit.AuditBurstLoad.RunAsync(burstArgs);
        }

        if (args is ["audit-concurrency", .. var auditArgs])
        {
            return await Audit.AuditConcurrencyLoad.RunAsync(auditArgs);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
