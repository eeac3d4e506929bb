using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Pipeline.Tests.Infra;

/// <summary>Runs the Bicep CLI that the Azure.Bicep.CommandLine.linux-x64 package ships.</summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The binary's path, from the package's $(BicepPath), baked into the test assembly at build time.</summary>
    public static string Path { get; } = Locate();

    public static async Task<BicepRun> RunAsync(
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken,
        params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {Path}.");
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI was not found at '{path}'. It comes from the Azure.Bicep.CommandLine.linux-x64 package reference of the test project.");
        }

        // NuGet does not always keep the exec bit when it extracts a package.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }

        return path;
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$", RegexOptions.Multiline)]
    internal static partial Regex Diagnostic();
}

/// <summary>One finished Bicep CLI run.</summary>
public sealed record BicepRun(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every compiler or linter diagnostic the run printed, whatever its level.</summary>
    public IReadOnlyList<string> Diagnostics { get; } =
        BicepCli.Diagnostic().Matches(StandardOutput + "\n" + StandardError).Select(m => m.Value.Trim()).ToList();

    /// <summary>Passes only on exit code 0 with no diagnostic at all (warnings included).</summary>
    public void AssertClean()
    {
        Assert.True(
            ExitCode == 0 && Diagnostics.Count == 0,
            $"bicep {Command} exited {ExitCode} with {Diagnostics.Count} diagnostic(s):\n{StandardOutput}\n{StandardError}");
    }
}
