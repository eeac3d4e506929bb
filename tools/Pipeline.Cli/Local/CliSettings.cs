using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Cli.Local;

/// <summary>
/// The configuration every command reads, the same the handler reads: <c>local.settings.json</c>
/// at the repository root, then environment variables (<c>Pipeline__…</c>) over it.
/// </summary>
internal static class CliSettings
{
    public const string FileName = "local.settings.json";
    public const string SampleFileName = "local.settings.sample.json";

    public static string SettingsPath(string root) => Path.Combine(root, FileName);

    /// <summary>
    /// On a fresh clone, writes local.settings.json from the sample, replacing each
    /// <c>&lt;generate:secret&gt;</c> / <c>&lt;generate:whsec&gt;</c> placeholder with a fresh random
    /// value. The file is git-ignored; nothing secret is ever committed. True when it was created.
    /// </summary>
    public static bool EnsureLocalSettings(string root)
    {
        var path = SettingsPath(root);
        if (File.Exists(path))
        {
            return false;
        }

        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(root, SampleFileName)))!;
        foreach (var (name, value) in sample["Values"]!.AsObject().ToList())
        {
            var generated = value?.GetValue<string>() switch
            {
                "<generate:secret>" => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                "<generate:whsec>" => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                _ => null,
            };
            if (generated is not null)
            {
                sample["Values"]![name] = generated;
            }
        }

        // Owner-only from the moment it exists: never world-readable for an instant before a chmod.
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, create))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(sample.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return true;
    }

    /// <summary>local.settings.json, then environment variables over it.</summary>
    public static IConfigurationBuilder AddPipelineSettings(this IConfigurationBuilder configuration, string root) =>
        configuration.AddLocalSettingsFile(SettingsPath(root)).AddEnvironmentVariables();

    public static IConfiguration Load(string root) => new ConfigurationBuilder().AddPipelineSettings(root).Build();
}
