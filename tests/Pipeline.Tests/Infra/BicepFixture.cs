using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pipeline.Tests.Infra;

/// <summary>
/// Builds and lints infra/ once per test run (each CLI start costs seconds) in a copy of the folder, so
/// nothing is written into the repository, and evaluates the example parameter file with
/// <c>bicep snapshot</c>: the resources a deployment of main.bicep with main.bicepparam would create,
/// with parameters, variables, loops and conditions resolved.
/// </summary>
public sealed partial class BicepFixture : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000aaaa";
    public const string TenantId = "00000000-0000-0000-0000-00000000bbbb";
    public const string ResourceGroup = "rg-pipeline-test";

    private DirectoryInfo? _work;

    /// <summary>The repository root (holds Pipeline.sln).</summary>
    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Every .bicep file under infra/, relative to infra/, with '/' separators.</summary>
    public IReadOnlyList<string> BicepFiles { get; private set; } = [];

    /// <summary>Dummy values given to the parameter file's readEnvironmentVariable() calls.</summary>
    public IReadOnlyDictionary<string, string> SecretEnvironment { get; private set; } = new Dictionary<string, string>();

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    public BicepRun Snapshot { get; private set; } = null!;

    /// <summary>Compiled ARM JSON by source file (relative to infra/).</summary>
    public IReadOnlyDictionary<string, string> CompiledJson { get; private set; } = new Dictionary<string, string>();

    /// <summary>The snapshot's raw text.</summary>
    public string SnapshotJson { get; private set; } = "";

    /// <summary>The resources the snapshot predicts.</summary>
    public IReadOnlyList<JsonObject> Resources { get; private set; } = [];

    public string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        _work = Directory.CreateTempSubdirectory("pipeline-infra-");
        var source = Path.Combine(_work.FullName, "infra");
        var output = Path.Combine(_work.FullName, "out");
        CopyDirectory(InfraDirectory, source);

        BicepFiles = Directory.EnumerateFiles(source, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(source, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

        var parameterFile = await File.ReadAllTextAsync(Path.Combine(source, "main.bicepparam"), cancellationToken);
        SecretEnvironment = EnvironmentVariableReads().Matches(parameterFile)
            .Select(m => m.Groups["name"].Value)
            .Distinct(StringComparer.Ordinal)
            .ToDictionary(name => name, name => $"dummy-{name}-{Guid.NewGuid():N}", StringComparer.Ordinal);

        var noEnvironment = new Dictionary<string, string>();
        var build = BicepCli.RunAsync(source, noEnvironment, cancellationToken, "build", "--pattern", "**/*.bicep", "--outdir", output);
        // The pattern takes .bicepparam files too, so the example parameters are linted against main.bicep's types.
        var lint = BicepCli.RunAsync(source, SecretEnvironment, cancellationToken, "lint", "--pattern", "**/*.bicep*");
        var snapshot = BicepCli.RunAsync(
            source,
            SecretEnvironment,
            cancellationToken,
            "snapshot",
            "main.bicepparam",
            "--subscription-id",
            SubscriptionId,
            "--tenant-id",
            TenantId,
            "--resource-group",
            ResourceGroup,
            "--location",
            "westeurope");
        Build = await build;
        Lint = await lint;
        Snapshot = await snapshot;

        CompiledJson = BicepFiles
            .Select(f => (File: f, Json: Path.Combine(output, Path.ChangeExtension(f, ".json"))))
            .Where(f => File.Exists(f.Json))
            .ToDictionary(f => f.File, f => File.ReadAllText(f.Json), StringComparer.Ordinal);

        var snapshotPath = Path.Combine(source, "main.snapshot.json");
        if (File.Exists(snapshotPath))
        {
            SnapshotJson = await File.ReadAllTextAsync(snapshotPath, cancellationToken);
            Resources = JsonNode.Parse(SnapshotJson)!["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        }
    }

    public ValueTask DisposeAsync()
    {
        _work?.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.EndsWith(".snapshot.json", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"readEnvironmentVariable\('(?<name>[A-Za-z0-9_]+)'")]
    private static partial Regex EnvironmentVariableReads();
}
