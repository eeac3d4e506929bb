using Pipeline.Azure.DeadLetters;

namespace Pipeline.Cli.DeadLetters;

/// <summary>Which dead letters a replay or purge takes: ids, all, or (purge) older than some days; within a subscription or not.</summary>
internal sealed record DeadLetterSelection(IReadOnlySet<string>? Ids, int? OlderThanDays, string? Subscription)
{
    /// <summary>Exactly one of ids, --all and --older-than; null otherwise.</summary>
    public static DeadLetterSelection? Of(string[]? ids, bool all, int? olderThanDays, string? subscription)
    {
        var given = (ids is { Length: > 0 } ? 1 : 0) + (all ? 1 : 0) + (olderThanDays is not null ? 1 : 0);
        if (given != 1 || olderThanDays < 0)
        {
            return null;
        }

        return new DeadLetterSelection(ids is { Length: > 0 } ? ids.ToHashSet(StringComparer.Ordinal) : null, olderThanDays, subscription);
    }

    public bool Matches(DeadLetter deadLetter, DateTimeOffset? cutoff) =>
        (Ids is null || Ids.Contains(deadLetter.Id)) && (cutoff is null || deadLetter.EnqueuedAt < cutoff);
}
