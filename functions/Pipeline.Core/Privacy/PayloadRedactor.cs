using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pipeline.Core.Privacy;

/// <summary>
/// What an audit row may keep of a payload (SPEC §5, privacy by allowlist): a copy holding only the
/// fields its <see cref="EventSchema"/> classifies <see cref="PipelineTaxonomy.Safe"/>, and subject
/// identifiers as their keyed pseudonyms. Fields classified personal or HR-confidential, fields the
/// schema does not know, and objects or arrays where the schema expects none are dropped. Kept text
/// still passes the pattern net (<see cref="PiiPatterns"/>, then the tenant's own patterns).
/// </summary>
public sealed class PayloadRedactor
{
    /// <summary>What a match of a tenant pattern becomes.</summary>
    public const string TenantPatternMarker = "[redacted]";

    private readonly string _pseudonymKey;
    private readonly IReadOnlyList<Regex> _tenantPatterns;

    /// <summary>A redactor keyed for pseudonyms, with a tenant's extra patterns (compiled by <see cref="TenantPatterns"/>).</summary>
    public PayloadRedactor(string pseudonymKey, IReadOnlyList<Regex>? tenantPatterns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pseudonymKey);
        _pseudonymKey = pseudonymKey;
        _tenantPatterns = tenantPatterns ?? [];
    }

    /// <summary>The keyed pseudonym of a subject identifier.</summary>
    public string Pseudonym(string identifier) => Pseudonyms.Of(_pseudonymKey, identifier);

    /// <summary>Free text with every pattern redacted; emails become pseudonyms.</summary>
    public string RedactText(string text)
    {
        text = PiiPatterns.Redact(text, Pseudonym);
        foreach (var pattern in _tenantPatterns)
        {
            text = pattern.Replace(text, TenantPatternMarker);
        }

        return text;
    }

    /// <summary>
    /// The kept part of <paramref name="payload"/> (null when nothing is kept) and the raw subject
    /// identifiers it names, the first declared subject field first.
    /// </summary>
    public ProjectedPayload Project(EventSchema schema, JsonElement payload)
    {
        var subjects = new List<(int Order, string Identifier)>();
        var kept = Project(schema, payload, subjects);
        return new ProjectedPayload(
            kept as JsonObject,
            [.. subjects.OrderBy(s => s.Order).Select(s => s.Identifier).Distinct(StringComparer.OrdinalIgnoreCase)]);
    }

    private JsonNode? Project(EventSchema schema, JsonElement element, List<(int, string)> subjects)
    {
        if (schema.Classification is { } classification)
        {
            if (classification == PipelineTaxonomy.Subject)
            {
                if (element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } identifier)
                {
                    subjects.Add((schema.Order, identifier));
                    return JsonValue.Create(Pseudonym(identifier));
                }

                return null;
            }

            return !PipelineTaxonomy.IsKept(classification) ? null : element.ValueKind switch
            {
                JsonValueKind.String => JsonValue.Create(RedactText(element.GetString()!)),
                // A phone or card number may arrive as a JSON number.
                JsonValueKind.Number when RedactText(element.GetRawText()) is var raw && raw == element.GetRawText() => JsonNode.Parse(raw),
                JsonValueKind.True => JsonValue.Create(true),
                JsonValueKind.False => JsonValue.Create(false),
                _ => null,
            };
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var result = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    // Only a declared name is ever written, so no property name from the payload is kept.
                    if (schema.Member(property.Name) is { } member && Project(member, property.Value, subjects) is { } value)
                    {
                        result[property.Name] = value;
                    }
                }

                return result.Count > 0 ? result : null;
            case JsonValueKind.Array when schema.Member(EventSchema.Items) is { } items:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(Project(items, item, subjects));
                }

                return array.Any(i => i is not null) ? array : null;
            default:
                return null;
        }
    }
}

/// <summary>The kept fields of a payload and the raw identifiers of its subjects.</summary>
/// <param name="Kept">Safe fields and subject pseudonyms only; null when none.</param>
/// <param name="Subjects">Raw subject identifiers: for pseudonymising and for classified logs, never stored.</param>
public sealed record ProjectedPayload(JsonObject? Kept, IReadOnlyList<string> Subjects);
