using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Pipeline.Core.Events;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Either the accepted event or the reason it was refused. An accepted event's payload may read the
/// request body in place (no copy of a large transcript): dispose the result once the event is
/// published, which returns the parsed document's pooled buffers; the body must stay unchanged until then.
/// </summary>
public readonly record struct IngressResult : IDisposable
{
    private readonly JsonDocument? _document;

    private IngressResult(PipelineEvent? accepted, IngressRejection rejection, string? field, string? limit = null, JsonDocument? document = null)
    {
        Event = accepted;
        Rejection = rejection;
        Field = field;
        Limit = limit;
        _document = document;
    }

    /// <summary>The accepted event; null when rejected.</summary>
    public PipelineEvent? Event { get; }

    /// <summary>Why it was rejected; meaningless when accepted.</summary>
    public IngressRejection Rejection { get; }

    /// <summary>
    /// For <see cref="IngressRejection.SchemaInvalid"/>: the path of the failing field, e.g.
    /// <c>data.user.emails[0].value</c>. Built from the schema's own names and indexes, never from a value.
    /// </summary>
    public string? Field { get; }

    /// <summary>For <see cref="IngressRejection.OverConsumerLimit"/>: the limit in words, from <see cref="ConsumerLimits"/>.</summary>
    public string? Limit { get; }

    /// <summary>True when the webhook passed every check.</summary>
    [MemberNotNullWhen(true, nameof(Event))]
    public bool IsAccepted => Event is not null;

    /// <summary>An accepted event.</summary>
    public static IngressResult Accepted(PipelineEvent accepted) => new(accepted, default, null);

    /// <summary>An accepted event whose payload lives in <paramref name="document"/>, which the result now owns.</summary>
    public static IngressResult Accepted(PipelineEvent accepted, JsonDocument document) => new(accepted, default, null, document: document);

    /// <summary>A refusal.</summary>
    public static IngressResult Rejected(IngressRejection reason) => new(null, reason, null);

    /// <summary>A refusal because of one field of the payload.</summary>
    public static IngressResult InvalidField(string field) => new(null, IngressRejection.SchemaInvalid, field);

    /// <summary>A refusal because a consumer could not store the event.</summary>
    public static IngressResult OverLimit(ConsumerLimit limit) => new(null, IngressRejection.OverConsumerLimit, limit.Field, limit.Limit);

    /// <summary>Returns the pooled buffers of the document the payload reads, if it owns one; the event's payload is unusable afterwards.</summary>
    public void Dispose() => _document?.Dispose();
}
