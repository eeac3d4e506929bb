using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Audit;

namespace Pipeline.Core.Privacy;

/// <summary>
/// The one redaction engine for audit rows and logs. By field: the value of a personal field is
/// erased, or, for a subject identifier (<c>email</c>, <c>userName</c>, …), replaced by its keyed
/// pseudonym so rows about one person still correlate. By pattern: every other string, property
/// name and number is passed through <see cref="PiiPatterns"/>.
/// </summary>
public sealed class PayloadRedactor
{
    /// <summary>What an erased field's value becomes.</summary>
    public const string ErasedMarker = "[redacted]";

    /// <summary>
    /// Fields redacted for every tenant (issue 5; SPEC §5 adds the transcript text, and names and
    /// audio fields are never kept). Compared without case, <c>_</c> or <c>-</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultFields =
    [
        "email", "userName", "phone", "manager_email", "employee_id", "score", "certification_status", "coaching_notes",
        "name", "emails", "manager", "employeeNumber",
        "givenName", "familyName", "displayName", "nickName", "first_name", "last_name", "full_name", "phoneNumbers", "addresses",
        "transcript", "audio", "audio_url", "recording_url",
    ];

    /// <summary>Fields whose values identify the subject: pseudonymised rather than erased.</summary>
    private static readonly HashSet<string> IdentifierFields = new(
        ["email", "username", "manageremail", "employeeid", "employeenumber", "emails"], StringComparer.Ordinal);

    private readonly string _pseudonymKey;
    private readonly HashSet<string> _fields;

    /// <summary>A redactor with the default fields plus <paramref name="extraFields"/> (a tenant's own).</summary>
    public PayloadRedactor(string pseudonymKey, IEnumerable<string>? extraFields = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pseudonymKey);
        _pseudonymKey = pseudonymKey;
        _fields = new HashSet<string>(DefaultFields.Concat(extraFields ?? []).Select(NormalizeField), StringComparer.Ordinal);
    }

    /// <summary>The keyed pseudonym of a subject identifier.</summary>
    public string Pseudonym(string identifier) => Pseudonyms.Of(_pseudonymKey, identifier);

    /// <summary>Free text with every pattern redacted; emails become pseudonyms.</summary>
    public string RedactText(string text) => PiiPatterns.Redact(text, Pseudonym);

    /// <summary>True when <paramref name="field"/> is redacted by name.</summary>
    public bool IsRedactedField(string field) => _fields.Contains(NormalizeField(field));

    /// <summary>A redacted copy of a JSON value.</summary>
    public JsonNode? Redact(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => RedactObject(element),
        JsonValueKind.Array => new JsonArray(element.EnumerateArray().Select(Redact).ToArray()),
        JsonValueKind.String => JsonValue.Create(RedactText(element.GetString()!)),
        // A phone or card number may arrive as a JSON number.
        JsonValueKind.Number => PiiPatterns.Contains(element.GetRawText()) ? JsonValue.Create(ErasedMarker) : JsonNode.Parse(element.GetRawText()),
        JsonValueKind.True => JsonValue.Create(true),
        JsonValueKind.False => JsonValue.Create(false),
        _ => null,
    };

    private JsonObject RedactObject(JsonElement element)
    {
        var result = new JsonObject();
        foreach (var property in element.EnumerateObject())
        {
            // A property name can be personal too (a map keyed by email).
            var name = RedactText(property.Name);
            var field = NormalizeField(property.Name);
            result[name] = !_fields.Contains(field) ? Redact(property.Value)
                : IdentifierFields.Contains(field) ? PseudonymiseAll(property.Value)
                : JsonValue.Create(ErasedMarker);
        }

        return result;
    }

    private JsonNode? PseudonymiseAll(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => JsonValue.Create(Pseudonym(element.GetString()!)),
        JsonValueKind.Array => new JsonArray(element.EnumerateArray().Select(PseudonymiseAll).ToArray()),
        JsonValueKind.Object => new JsonObject(element.EnumerateObject().Select(p =>
            KeyValuePair.Create(RedactText(p.Name), p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? Redact(p.Value) : PseudonymiseAll(p.Value)))),
        JsonValueKind.Null => null,
        _ => JsonValue.Create(ErasedMarker),
    };

    private static string NormalizeField(string name) =>
        string.Concat(name.Where(c => c is not ('_' or '-'))).ToLowerInvariant();
}
