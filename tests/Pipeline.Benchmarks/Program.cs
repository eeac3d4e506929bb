using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point; BenchmarkSwitcher picks benchmarks from the command line (<c>--filter</c>).</summary>
public partial class Program;
