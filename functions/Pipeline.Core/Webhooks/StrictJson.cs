using System.Text.Json;
using System.Text.Unicode;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Parses a webhook body only when every consumer can read all of it: valid UTF-8 throughout, no
/// escaped lone surrogate (<c>\ud800</c>) in any string or property name, no duplicate property, and
/// nesting no deeper than <see cref="MaxDepth"/>. What passes here can be read with
/// <see cref="JsonElement.GetString"/> anywhere downstream without throwing.
/// </summary>
public static class StrictJson
{
    /// <summary>
    /// The deepest nesting accepted. The serialized event wraps the payload one level deeper and the
    /// serializer's default limit is 64, so the payload must stay well below that; real webhooks nest
    /// about five deep.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Duplicate property names are refused: otherwise the validator could read one value and a
    /// consumer another.
    /// </summary>
    private static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>The parsed document, or null when the body is not strict JSON as described above.</summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> body)
    {
        // Valid UTF-8 cannot encode a surrogate, so only a \u escape can decode to a lone one: a body without
        // the two bytes \u anywhere (most webhooks) skips the pass that decodes escapes.
        if (!Utf8.IsValid(body.Span) || (body.Span.IndexOf("\\u"u8) >= 0 && !EscapesAreWellFormed(body.Span)))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body, ParseOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// False when an escaped string or property name decodes to invalid UTF-16 (a lone surrogate), or
    /// the text is not JSON at all (the parse that follows would refuse it anyway).
    /// </summary>
    private static bool EscapesAreWellFormed(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    // The only way the BCL offers to test an escape sequence is to decode it.
                    _ = reader.GetString();
                }
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
