using BenchmarkDotNet.Running;

namespace Pipeline.Benchmarks;

internal static class Program
{
    /// <summary>BenchmarkSwitcher picks benchmarks from the command line (<c>--filter</c>).</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
