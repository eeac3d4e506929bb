using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Host.Configuration;

namespace Pipeline.Tests.Invocations;

/// <summary>
/// What the Functions host and the platform's scale controller read from every function.json and
/// host.json (SPEC §2): these hold whatever the handler's own tests say, because the host is not here.
/// </summary>
public sealed partial class BindingContractTests
{
    private static readonly string Root = RepositoryRoot.Find();

    private static readonly IReadOnlyList<(string Path, JsonObject Json)> FunctionJsons =
        Directory.EnumerateFiles(Path.Combine(Root, "functions"), "function.json", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(Root, f), JsonNode.Parse(File.ReadAllText(f))!.AsObject()))
            .ToList();

    private static readonly JsonObject HostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "host.json")))!.AsObject();

    [Fact]
    public void BindingExpressions_EveryFunctionJsonAndHostJson_NameFlatSettingsWithoutColons()
    {
        Assert.NotEmpty(FunctionJsons);
        var placeholders = 0;
        foreach (var (path, json) in FunctionJsons.Append(("host.json", HostJson)))
        {
            foreach (var text in Strings(json))
            {
                foreach (Match placeholder in AppSettingPlaceholder().Matches(text))
                {
                    placeholders++;
                    // The scale controller reads app settings by their literal names (azure-functions-host#8261).
                    Assert.False(placeholder.Groups["key"].Value.Contains(':', StringComparison.Ordinal), $"{path}: {placeholder.Value} names a setting with ':'.");
                }
            }
        }

        Assert.True(placeholders > 0, "No binding expression found: the test would prove nothing.");
    }

    [Fact]
    public void BindingExpressions_EverySettingNamed_IsOneTheHandlerReadsAndTheSampleSets()
    {
        var named = FunctionJsons.SelectMany(f => Strings(f.Json))
            .SelectMany(text => AppSettingPlaceholder().Matches(text).Select(m => m.Groups["key"].Value))
            .ToHashSet(StringComparer.Ordinal);
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")))!["Values"]!.AsObject();

        // The triggers and the handler read the same settings, so they cannot disagree on topic or schedule.
        Assert.Equal(BindingSettings.All.Order(StringComparer.Ordinal), named.Order(StringComparer.Ordinal));
        foreach (var setting in named)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)sample[setting]), $"local.settings.sample.json sets no '{setting}'.");
        }

        Assert.False(sample.ContainsKey("Pipeline__ServiceBus__TopicName"), "The sample sets the topic twice.");
        Assert.False(sample.ContainsKey("Pipeline__Retention__Schedule"), "The sample sets the schedule twice.");
    }

    [Fact]
    public void HostJson_ServiceBusLockRenewal_LastsAtLeastTheFunctionTimeout()
    {
        var functionTimeout = TimeSpan.Parse((string)HostJson["functionTimeout"]!, System.Globalization.CultureInfo.InvariantCulture);
        var renewal = TimeSpan.Parse((string)HostJson["extensions"]!["serviceBus"]!["maxAutoLockRenewalDuration"]!, System.Globalization.CultureInfo.InvariantCulture);

        // Shorter, and a long invocation loses its lock: the message is delivered again while still running.
        Assert.True(renewal >= functionTimeout, $"maxAutoLockRenewalDuration {renewal} is shorter than functionTimeout {functionTimeout}.");
    }

    [Fact]
    public void HostJson_MaxMessageBatchSize_IsLocalModesBatchSize()
    {
        // Local mode delivers WriteAudit's batches as the host does, so both cap a batch alike.
        Assert.Equal(new Pipeline.Host.Local.LocalDispatcherOptions().MaxMessageBatchSize, (int)HostJson["extensions"]!["serviceBus"]!["maxMessageBatchSize"]!);
    }

    [Fact]
    public void HttpFunctions_Proxied_HaveExactlyOneHttpTriggerInAndOneHttpOut()
    {
        Assert.True((bool)HostJson["customHandler"]!["enableProxyingHttpRequest"]!);
        var httpFunctions = FunctionJsons.Where(f => Bindings(f.Json).Any(b => Type(b) is "httpTrigger" or "http")).ToList();
        Assert.NotEmpty(httpFunctions);

        foreach (var (path, json) in httpFunctions)
        {
            var bindings = Bindings(json);
            // With proxying, the host forwards the request as is and returns the handler's response as is:
            // anything beyond the one trigger and the one response is not supported.
            Assert.True(bindings.Count == 2, $"{path}: {bindings.Count} bindings; a proxied HTTP function has exactly two.");
            Assert.Single(bindings, b => Type(b) == "httpTrigger" && (string?)b["direction"] == "in");
            Assert.Single(bindings, b => Type(b) == "http" && (string?)b["direction"] == "out");
        }
    }

    [Fact]
    public void ServiceBusTriggers_Every_ReceiveTheBodyAsBinaryOnAnIdentityConnection()
    {
        var triggers = FunctionJsons.SelectMany(f => Bindings(f.Json).Select(b => (f.Path, Binding: b))).Where(b => Type(b.Binding) == "serviceBusTrigger").ToList();
        Assert.NotEmpty(triggers);

        foreach (var (path, binding) in triggers)
        {
            Assert.True((string?)binding["dataType"] == "binary", $"{path}: a Service Bus trigger needs \"dataType\": \"binary\" (the body arrives base64, byte for byte).");
            Assert.Equal("ServiceBusConnection", (string?)binding["connection"]);
            Assert.Equal($"%{BindingSettings.TopicName}%", (string?)binding["topicName"]);
        }
    }

    private static List<JsonObject> Bindings(JsonObject functionJson) =>
        functionJson["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList();

    private static string? Type(JsonObject binding) => (string?)binding["type"];

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [(string)v!],
        _ => [],
    };

    [GeneratedRegex("%(?<key>[^%]+)%")]
    private static partial Regex AppSettingPlaceholder();
}
