using System.Text.Json;
using Pipeline.Cli.Local;
using Pipeline.Host.Configuration;

namespace Pipeline.Tests.Cli;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CliSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipeline-cli-").FullName;

    public CliSettingsTests() =>
        File.Copy(Path.Combine(RepositoryRoot.Find(), CliSettings.SampleFileName), Path.Combine(_root, CliSettings.SampleFileName));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Sample_HoldsPlaceholdersOnly()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, CliSettings.SampleFileName)));
        foreach (var setting in sample.RootElement.GetProperty("Values").EnumerateObject().Where(p => p.Name.Contains("Secrets", StringComparison.Ordinal) || p.Name.EndsWith("Key", StringComparison.Ordinal)))
        {
            Assert.StartsWith("<generate:", setting.Value.GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EnsureLocalSettings_FreshClone_GeneratesDistinctSecretsOnceAndTheHandlerConfigBinds()
    {
        Assert.True(CliSettings.EnsureLocalSettings(_root));
        var first = File.ReadAllText(CliSettings.SettingsPath(_root));
        Assert.False(CliSettings.EnsureLocalSettings(_root));
        Assert.Equal(first, File.ReadAllText(CliSettings.SettingsPath(_root)));
        Assert.DoesNotContain("<generate:", first, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CliSettings.SettingsPath(_root)));

        var configuration = CliSettings.Load(_root);
        var mindtickle = configuration["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"];
        var twinmind = configuration["Pipeline:Tenants:acme:Vendors:twinmind:Secrets:0"];
        Assert.Equal(64, mindtickle?.Length);
        Assert.NotEqual(mindtickle, twinmind);
        Assert.StartsWith("whsec_", configuration["Pipeline:Tenants:acme:Vendors:standard:Secrets:0"], StringComparison.Ordinal);
        Assert.Equal("Local", configuration["Pipeline:Mode"]);
    }
}
