using System.Text.Json.Nodes;

namespace Pipeline.Tests.Infra;

/// <summary>What <c>bicep snapshot</c> predicts a deployment of main.bicep with one parameter file creates.</summary>
public sealed class BicepSnapshot
{
    private BicepSnapshot(BicepRun run, string json)
    {
        Run = run;
        Json = json;
        Resources = json.Length == 0
            ? []
            : JsonNode.Parse(json)!["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }

    public BicepRun Run { get; }

    /// <summary>The snapshot file's text; empty when the CLI wrote none.</summary>
    public string Json { get; }

    public IReadOnlyList<JsonObject> Resources { get; }

    public static async Task<BicepSnapshot> TakeAsync(
        string directory,
        string parameterFile,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        var run = await BicepCli.RunAsync(
            directory,
            environment,
            cancellationToken,
            "snapshot",
            parameterFile,
            "--subscription-id",
            BicepFixture.SubscriptionId,
            "--tenant-id",
            BicepFixture.TenantId,
            "--resource-group",
            BicepFixture.ResourceGroup,
            "--location",
            "westeurope");
        var path = Path.Combine(directory, Path.ChangeExtension(parameterFile, ".snapshot.json"));
        return new BicepSnapshot(run, File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "");
    }

    public IEnumerable<JsonObject> OfType(string type)
    {
        Assert.True(Resources.Count > 0, $"bicep {Run.Command} predicted nothing:\n{Run.StandardOutput}\n{Run.StandardError}");
        return Resources.Where(r => (string?)r["type"] == type);
    }

    public JsonObject Resource(string type) => Assert.Single(OfType(type));

    /// <summary>The function app's evaluated app settings.</summary>
    public JsonObject AppSettings() =>
        Assert.Single(OfType("Microsoft.Web/sites/config"), c => ((string)c["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject();
}
