using BenchmarkDotNet.Running;

namespace Pipeline.Benchmarks;

internal static class Program
{
    /// <summary><c>load ...</c> runs the HTTP load comparison (Webhooks/IngressLoad.cs), <c>retention ...</c> the purge load (Retention/RetentionLoad.cs); anything else goes to BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", .. var loadArgs])
        {
            return await Webhooks.IngressLoad.RunAsync(loadArgs);
        }

        if (args is ["retention", .. var retentionArgs])
        {
            return await Retention.RetentionLoad.RunAsync(retentionArgs);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
