using System.Diagnostics.CodeAnalysis;
using Pipeline.Core.Events;

namespace Pipeline.Core.Webhooks;

/// <summary>Either the accepted event or the reason it was refused.</summary>
public readonly record struct IngressResult
{
    private IngressResult(PipelineEvent? accepted, IngressRejection rejection)
    {
        Event = accepted;
        Rejection = rejection;
    }

    /// <summary>The accepted event; null when rejected.</summary>
    public PipelineEvent? Event { get; }

    /// <summary>Why it was rejected; meaningless when accepted.</summary>
    public IngressRejection Rejection { get; }

    /// <summary>True when the webhook passed every check.</summary>
    [MemberNotNullWhen(true, nameof(Event))]
    public bool IsAccepted => Event is not null;

    /// <summary>An accepted event.</summary>
    public static IngressResult Accepted(PipelineEvent accepted) => new(accepted, default);

    /// <summary>A refusal.</summary>
    public static IngressResult Rejected(IngressRejection reason) => new(null, reason);
}
