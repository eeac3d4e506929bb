namespace Pipeline.Azure.DeadLetters;

/// <summary>
/// Where dead letters are kept: the subscriptions' dead-letter subqueues (Azure) or the poison queues
/// (Local). Operators, retention and erasure go through this one seam, so both modes behave alike.
/// </summary>
public interface IDeadLetterStore
{
    /// <summary>
    /// How long after a message was first enqueued the topic would still drop a copy with its
    /// <c>MessageId</c> (duplicate detection); zero where nothing is dropped (Local mode).
    /// </summary>
    TimeSpan DuplicateDetectionWindow { get; }

    /// <summary>Every dead letter of the subscriptions named (all for null), without locking or changing any.</summary>
    IAsyncEnumerable<DeadLetter> PeekAsync(string? subscription = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Locks each of <paramref name="targets"/> still there (matched by subscription and
    /// <see cref="DeadLetter.Key"/>) and hands it to <paramref name="handle"/>, which removes it or not;
    /// whatever is not removed (other dead letters received on the way included) is released unchanged
    /// when the call ends. Targets already gone are skipped.
    /// </summary>
    Task ProcessAsync(IReadOnlyCollection<DeadLetter> targets, Func<DeadLetterLease, CancellationToken, Task> handle, CancellationToken cancellationToken = default);
}

/// <summary>A dead letter held under a lock: removing it is final; otherwise it is released unchanged.</summary>
public sealed class DeadLetterLease(DeadLetter deadLetter, Func<CancellationToken, Task> remove)
{
    /// <summary>The dead letter as received.</summary>
    public DeadLetter DeadLetter { get; } = deadLetter;

    /// <summary>True once <see cref="RemoveAsync"/> succeeded.</summary>
    public bool Removed { get; private set; }

    /// <summary>
    /// Hands a locked dead letter to <paramref name="handle"/>; <paramref name="keep"/> runs when it was not
    /// removed (the handler declined, or threw), so the store releases it later.
    /// </summary>
    internal static async Task OfferAsync(
        DeadLetter deadLetter,
        Func<CancellationToken, Task> remove,
        Func<DeadLetterLease, CancellationToken, Task> handle,
        Action keep,
        CancellationToken cancellationToken)
    {
        var lease = new DeadLetterLease(deadLetter, remove);
        try
        {
            await handle(lease, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!lease.Removed)
            {
                keep();
            }
        }
    }

    /// <summary>Deletes the dead letter (completes it on Service Bus).</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        await remove(cancellationToken).ConfigureAwait(false);
        Removed = true;
    }
}
