using System.Text.Json;

namespace Pipeline.Host.Invocations;

/// <summary>
/// The function.json files kept beside their features (SPEC §2). The folder holding a function.json
/// is named after the function; the publish command lays each out at the app root.
/// </summary>
public sealed record FunctionManifest(string Name, string Path, string TriggerType, string? Route, IReadOnlyList<string> Methods)
{
    /// <summary>The trigger's <c>cardinality</c>: <c>many</c> when the host sends batches, otherwise <c>one</c>.</summary>
    public string Cardinality { get; init; } = "one";

    /// <summary>Every function.json under the handler's source folder.</summary>
    public static IReadOnlyList<FunctionManifest> Discover(string handlerSourceFolder) =>
        Directory.EnumerateFiles(handlerSourceFolder, "function.json", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(Read)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

    private static FunctionManifest Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var trigger = document.RootElement.GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("direction").GetString() == "in" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
        var methods = trigger.TryGetProperty("methods", out var list)
            ? list.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList()
            : [];
        return new FunctionManifest(
            new DirectoryInfo(System.IO.Path.GetDirectoryName(path)!).Name,
            path,
            trigger.GetProperty("type").GetString()!,
            trigger.TryGetProperty("route", out var route) ? route.GetString() : null,
            methods)
        {
            Cardinality = trigger.TryGetProperty("cardinality", out var cardinality) ? cardinality.GetString()!.ToLowerInvariant() : "one",
        };
    }
}
