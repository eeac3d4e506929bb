using System.Text.Json;

namespace Pipeline.Host.Local;

public static class LocalSettingsSource
{
    /// <summary>
    /// Adds the <c>Values</c> of a Functions <c>local.settings.json</c>, as <c>func start</c> would:
    /// <c>__</c> in a name means <c>:</c>. Array values (<c>"Secrets": ["a"]</c>) are allowed too.
    /// </summary>
    public static IConfigurationBuilder AddLocalSettingsFile(this IConfigurationBuilder configuration, string path)
    {
        if (!File.Exists(path))
        {
            return configuration;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section) && section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject())
            {
                Flatten(property.Name.Replace("__", ":", StringComparison.Ordinal), property.Value, values);
            }
        }

        return configuration.AddInMemoryCollection(values);
    }

    private static void Flatten(string key, JsonElement value, Dictionary<string, string?> values)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Flatten($"{key}:{index++}", item, values);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Flatten($"{key}:{property.Name}", property.Value, values);
                }

                break;
            case JsonValueKind.String:
                values[key] = value.GetString();
                break;
            default:
                values[key] = value.GetRawText();
                break;
        }
    }
}
