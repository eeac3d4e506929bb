namespace Pipeline.Core.Audit;

/// <summary>
/// How an audited thing ended. Stored as text (<see cref="AuditOutcomes.Text"/>): the chain MAC covers the
/// stored string, so these texts never change.
/// </summary>
public enum AuditOutcome
{
    /// <summary><c>success</c>: it was done (or, for a duplicate delivery, had already been done).</summary>
    Success,

    /// <summary><c>failure</c>: it was attempted and did not succeed (unreadable transcript, rejected webhooks, failed dead letters).</summary>
    Failure,

    /// <summary><c>not-found</c>: a caller asked for a transcript that is not there (never stored, expired or deleted).</summary>
    NotFound,

    /// <summary><c>invalid-id</c>: a caller's transcript id is not one (<c>TranscriptIds</c>); the row names no resource.</summary>
    InvalidId,

    /// <summary><c>refused</c>: policy forbade it, e.g. a transcript under an erasure hold.</summary>
    Refused,

    /// <summary><c>conflict</c>: another event already stored a transcript under the same id.</summary>
    Conflict,
}

/// <summary>The stored text of each <see cref="AuditOutcome"/>.</summary>
public static class AuditOutcomes
{
    /// <summary>The text an audit row stores for <paramref name="outcome"/>.</summary>
    public static string Text(this AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Success => "success",
        AuditOutcome.Failure => "failure",
        AuditOutcome.NotFound => "not-found",
        AuditOutcome.InvalidId => "invalid-id",
        AuditOutcome.Refused => "refused",
        AuditOutcome.Conflict => "conflict",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not an audit outcome."),
    };
}

/// <summary>What an audit row is about: a kind of thing (<c>event</c>, <c>transcript</c>, …) and which one, when it can be named.</summary>
/// <param name="Type">The kind of thing.</param>
/// <param name="Id">Which one; null when nothing safe names it.</param>
public readonly record struct AuditResource(string Type, string? Id);
