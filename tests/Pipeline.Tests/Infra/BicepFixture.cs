using System.Text.RegularExpressions;

namespace Pipeline.Tests.Infra;

/// <summary>
/// Builds and lints infra/ once per test run (each CLI start costs seconds) in a copy of the folder, so
/// nothing is written into the repository, and evaluates main.bicep with <c>bicep snapshot</c> for the
/// example main.bicepparam and for a mid-rotation parameter set: the resources a deployment would create,
/// with parameters, variables, loops and conditions resolved (values known only at deployment time stay
/// ARM expressions).
/// </summary>
public sealed partial class BicepFixture : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000aaaa";
    public const string TenantId = "00000000-0000-0000-0000-00000000bbbb";
    public const string ResourceGroup = "rg-pipeline-test";

    /// <summary>Secret values the rotation parameters pass; the tests check none leaks.</summary>
    public static readonly IReadOnlyList<string> RotationSecrets = ["rotation-old-3b6f0c2e", "rotation-new-9d41a7c5", "rotation-pseudonym-5e8a2d90-6c1f47b3a9e2d058"];

    private const string RotationParameterFile = "rotation.bicepparam";

    private static readonly string RotationParameters = $$"""
        using '../infra/main.bicep'

        param environmentName = 'rotation'
        param tenants = [
          {
            id: 'initech'
            vendors: [
              {
                name: 'mindtickle'
                secrets: [
                  'v1'
                  'v2'
                ]
              }
            ]
            privacy: {
              storeTranscripts: false
              auditRetentionDays: 400
              requireConsent: false
              piiPatterns: [
                'INI-[0-9]{6}'
                'case #[0-9]+'
              ]
            }
          }
        ]
        param webhookSecrets = {
          initech: {
            mindtickle: {
              v1: '{{RotationSecrets[0]}}'
              v2: '{{RotationSecrets[1]}}'
            }
          }
        }
        param auditPseudonymKey = '{{RotationSecrets[2]}}'
        param authAudience = 'api://pipeline-rotation'
        """;

    private DirectoryInfo? _work;

    /// <summary>The repository root (holds Pipeline.sln).</summary>
    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Every .bicep file under infra/, relative to infra/, with '/' separators.</summary>
    public IReadOnlyList<string> BicepFiles { get; private set; } = [];

    /// <summary>Dummy values given to the parameter file's readEnvironmentVariable() calls.</summary>
    public IReadOnlyDictionary<string, string> SecretEnvironment { get; private set; } = new Dictionary<string, string>();

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    /// <summary>main.bicep with the example main.bicepparam.</summary>
    public BicepSnapshot Example { get; private set; } = null!;

    /// <summary>main.bicep mid-rotation: one vendor with two secrets, non-default privacy, no scopes or grants.</summary>
    public BicepSnapshot Rotation { get; private set; } = null!;

    /// <summary>Compiled ARM JSON by source file (relative to infra/).</summary>
    public IReadOnlyDictionary<string, string> CompiledJson { get; private set; } = new Dictionary<string, string>();

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
        // Beside infra/, not in it, so the lint pattern never sees it.
        var rotationDirectory = Directory.CreateDirectory(Path.Combine(_work.FullName, "rotation")).FullName;
        await File.WriteAllTextAsync(Path.Combine(rotationDirectory, RotationParameterFile), RotationParameters, cancellationToken);
        var example = BicepSnapshot.TakeAsync(source, "main.bicepparam", SecretEnvironment, cancellationToken);
        var rotation = BicepSnapshot.TakeAsync(rotationDirectory, RotationParameterFile, SecretEnvironment, cancellationToken);
        Build = await build;
        Lint = await lint;
        Example = await example;
        Rotation = await rotation;

        CompiledJson = BicepFiles
            .Select(f => (File: f, Json: Path.Combine(output, Path.ChangeExtension(f, ".json"))))
            .Where(f => File.Exists(f.Json))
            .ToDictionary(f => f.File, f => File.ReadAllText(f.Json), StringComparer.Ordinal);
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
