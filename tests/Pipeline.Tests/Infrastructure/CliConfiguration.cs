
namespace Pipeline.Tests.Infrastructure;

/// <summary>Settings a CLI command reads, as its local.settings.json would hold them, for <c>CliServices</c>.</summary>
internal static class CliConfiguration
{
    /// <summary>Local mode against <paramref name="storageConnectionString"/>, valid as it is; <paramref name="settings"/> add or replace keys (null removes one).</summary>
    public static IConfiguration Local(string storageConnectionString, params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Pipeline:Mode"] = "Local",
            ["Pipeline:Storage:ConnectionString"] = storageConnectionString,
            ["Pipeline:Audit:PseudonymKey"] = TestHost.PseudonymKey,
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
