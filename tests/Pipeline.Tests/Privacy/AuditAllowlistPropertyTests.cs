using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks.Vendors;

namespace Pipeline.Tests.Privacy;

/// <summary>
/// For any payload of any event type (declared, unknown, a case variant; known fields, unknown fields,
/// nested unknown objects, values of the wrong shape), the audit rows hold no string leaf of the input
/// unless its field is classified safe, and do hold every safe string leaf.
/// </summary>
public sealed class AuditAllowlistPropertyTests
{
    private static readonly PayloadRedactor Redactor = new("a-pseudonym-key-of-at-least-32-characters");

    /// <summary>Each vendor's declared types, an undeclared one and a case variant; GitHub's type is a header, not a field.</summary>
    private static readonly (string Vendor, string? TypeField, string[] Types)[] Vendors =
    [
        ("mindtickle", "event_type", ["user.created", "user.updated", "user.deactivated", "course.completed", "certification.status_changed", "coaching.session.completed", "user.merged", "USER.created", "badge.earned"]),
        ("twinmind", "type", ["transcript.completed", "Transcript.Completed", "meeting.started"]),
        ("standard", "type", ["invoice.paid", "contact.updated"]),
        ("github", null, ["ping", "push", "issues", "Push"]),
        ("stripe", "type", ["customer.created", "invoice.paid", "charge.refunded", "Invoice.Paid"]),
    ];

    [Property(MaxTest = 500)]
    public void EventAuditFor_AnyPayload_KeepsOnlySafeStringLeaves(int seed)
    {
        var random = new Random(seed);
        var (vendor, typeField, types) = Vendors[random.Next(Vendors.Length)];
        var type = types[random.Next(types.Length)];
        var schema = EventSchemas.For(vendor, type);
        var leaves = new List<(string Token, bool Safe)>();
        var payload = (JsonObject)Build(random, schema, leaves, depth: 0)!;
        // The type field holds the event type itself, not a generated leaf.
        if (typeField is not null)
        {
            leaves.RemoveAll(leaf => payload[typeField] is JsonValue old && old.GetValueKind() == JsonValueKind.String && old.GetValue<string>() == leaf.Token);
            payload[typeField] = type;
        }

        var pipelineEvent = new PipelineEvent("evt_1", vendor, "acme", type, "key", DateTimeOffset.UnixEpoch, false, JsonSerializer.SerializeToElement(payload));

        var rows = PayloadRedactorTests.Flatten(EventAudit.For(pipelineEvent, Redactor));

        var wrong = leaves.Where(leaf => rows.Contains(leaf.Token, StringComparison.Ordinal) != leaf.Safe).ToList();
        Assert.True(wrong.Count == 0, $"{vendor} {type}: {string.Join(", ", wrong)} of {string.Join(", ", leaves)} in {payload.ToJsonString()} gave {rows}");
    }

    private static JsonNode? Build(Random random, EventSchema? schema, List<(string, bool)> leaves, int depth)
    {
        if (schema?.Classification is { } classification)
        {
            // A declared leaf: usually a string, sometimes a number, a bool, or an object where a scalar belongs.
            return random.Next(10) switch
            {
                < 7 => Leaf(random, leaves, classification == PipelineTaxonomy.Safe),
                7 => JsonValue.Create(random.Next(1000)),
                8 => JsonValue.Create(random.Next(2) == 0),
                _ => new JsonObject { [Token(random)] = Unknown(random, leaves, depth + 1) },
            };
        }

        if (schema is null || depth > 6)
        {
            return Unknown(random, leaves, depth + 1);
        }

        if (schema.Member(EventSchema.Items) is { } items)
        {
            var array = new JsonArray();
            for (var i = random.Next(4); i > 0; i--)
            {
                array.Add(Build(random, items, leaves, depth + 1));
            }

            return array;
        }

        var result = new JsonObject();
        foreach (var (name, child) in schema.Children)
        {
            if (random.Next(5) > 0)
            {
                result[name] = Build(random, child, leaves, depth + 1);
            }
        }

        for (var extra = random.Next(3); extra > 0; extra--)
        {
            result["x_" + Token(random)] = Unknown(random, leaves, depth + 1);
        }

        return result;
    }

    // Anything the schema does not know: every string leaf in it must be dropped.
    private static JsonNode? Unknown(Random random, List<(string, bool)> leaves, int depth) => random.Next(depth > 4 ? 2 : 4) switch
    {
        0 => Leaf(random, leaves, safe: false),
        1 => JsonValue.Create(random.Next()),
        2 => new JsonArray(Enumerable.Range(0, random.Next(3)).Select(_ => Unknown(random, leaves, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(3)).Select(_ => KeyValuePair.Create(Token(random), Unknown(random, leaves, depth + 1)))),
    };

    private static JsonValue Leaf(Random random, List<(string, bool)> leaves, bool safe)
    {
        var token = Token(random);
        leaves.Add((token, safe));
        return JsonValue.Create(token);
    }

    // Letters a pseudonym (hex) or a marker never holds, so a token in a row can only be the token.
    private static string Token(Random random) =>
        "zq" + string.Concat(Enumerable.Range(0, 10).Select(_ => "ghijklmnoprstuvwxyz"[random.Next(19)]));
}
