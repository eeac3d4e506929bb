using System.Collections.Concurrent;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Counts rejected webhooks per tenant, vendor, reason and UTC minute, so a flood of bad requests
/// becomes one audit row per minute and reason rather than one per request; and, the same way, the
/// redeliveries answered as duplicates (reason null), which the compliance report counts. Memory is bounded: the
/// tenants are the configured ones plus <see cref="UnknownTenant"/>, the vendors three plus
/// <c>unknown</c>, and each count keeps at most <see cref="MaxSources"/> source networks.
/// </summary>
public sealed class RejectionTally
{
    /// <summary>The audit action of a rejection count.</summary>
    public const string Action = "webhook.rejected";

    /// <summary>The audit action of a duplicate count: redeliveries of an event already published, answered 202 without publishing.</summary>
    public const string DuplicateAction = "webhook.duplicate";

    /// <summary>Where rejections for a tenant that is not configured are counted (not a valid tenant id).</summary>
    public const string UnknownTenant = "_unknown";

    /// <summary>Distinct source networks kept per count; the rest are only counted.</summary>
    public const int MaxSources = 16;

    private readonly ConcurrentDictionary<(string Tenant, string Vendor, IngressRejection? Reason, long Minute), Bucket> _buckets = new();

    /// <summary>Counts one rejection.</summary>
    /// <param name="tenant">A configured tenant id, or <see cref="UnknownTenant"/>: never raw route text.</param>
    /// <param name="vendor">A vendor route name, or <c>unknown</c>: never raw route text.</param>
    /// <param name="reason">Why it was rejected.</param>
    /// <param name="sourceNetwork">From <see cref="SourceNetworks.Truncate"/>.</param>
    /// <param name="at">When.</param>
    public void Record(string tenant, string vendor, IngressRejection reason, string sourceNetwork, DateTimeOffset at) =>
        Count(tenant, vendor, reason, sourceNetwork, at);

    /// <summary>Counts one redelivery answered as a duplicate; <paramref name="tenant"/> and <paramref name="vendor"/> as for <see cref="Record"/>.</summary>
    public void RecordDuplicate(string tenant, string vendor, string sourceNetwork, DateTimeOffset at) =>
        Count(tenant, vendor, null, sourceNetwork, at);

    private void Count(string tenant, string vendor, IngressRejection? reason, string sourceNetwork, DateTimeOffset at)
    {
        var minute = at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute);
        // A bucket drained between GetOrAdd and Add is closed: count in a fresh one instead.
        while (!_buckets.GetOrAdd((tenant, vendor, reason, minute), static _ => new Bucket()).Add(sourceNetwork))
        {
        }
    }

    /// <summary>
    /// Removes and returns the counts of minutes that ended at or before <paramref name="before"/>
    /// (all of them with <see cref="DateTimeOffset.MaxValue"/>, e.g. at shutdown).
    /// </summary>
    public IReadOnlyList<RejectionCount> Drain(DateTimeOffset before)
    {
        var drained = new List<RejectionCount>();
        foreach (var key in _buckets.Keys)
        {
            if (key.Minute + TimeSpan.TicksPerMinute <= before.UtcTicks && _buckets.TryRemove(key, out var bucket))
            {
                drained.Add(bucket.ToCount(key.Tenant, key.Vendor, key.Reason, new DateTimeOffset(key.Minute, TimeSpan.Zero)));
            }
        }

        return drained;
    }

    /// <summary>
    /// Removes and returns every count of minutes that started before <paramref name="before"/>, the
    /// current minute included: what a write-through flush takes (the minute's further rejections start
    /// a new count).
    /// </summary>
    public IReadOnlyList<RejectionCount> DrainStarted(DateTimeOffset before)
    {
        var drained = new List<RejectionCount>();
        foreach (var key in _buckets.Keys)
        {
            if (key.Minute < before.UtcTicks && _buckets.TryRemove(key, out var bucket))
            {
                drained.Add(bucket.ToCount(key.Tenant, key.Vendor, key.Reason, new DateTimeOffset(key.Minute, TimeSpan.Zero)));
            }
        }

        return drained;
    }

    private sealed class Bucket
    {
        private readonly Lock _lock = new();
        private readonly SortedSet<string> _sources = new(StringComparer.Ordinal);
        private long _count;
        private long _sourcesOmitted;
        private bool _closed;

        /// <summary>False when the bucket was already drained; nothing is counted then.</summary>
        public bool Add(string sourceNetwork)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return false;
                }

                _count++;
                if (!_sources.Contains(sourceNetwork) && !(_sources.Count < MaxSources && _sources.Add(sourceNetwork)))
                {
                    _sourcesOmitted++;
                }

                return true;
            }
        }

        public RejectionCount ToCount(string tenant, string vendor, IngressRejection? reason, DateTimeOffset minute)
        {
            lock (_lock)
            {
                _closed = true;
                return new RejectionCount(tenant, vendor, reason, minute, _count, [.. _sources], _sourcesOmitted);
            }
        }
    }
}

/// <summary>How often one tenant's webhooks from one vendor were rejected for one reason in one minute (its audit row: <c>Audit/RejectionAudit</c>).</summary>
/// <param name="Tenant">Configured tenant id or <see cref="RejectionTally.UnknownTenant"/>.</param>
/// <param name="Vendor">Vendor route name or <c>unknown</c>.</param>
/// <param name="Reason">The rejection reason; null for a count of duplicates.</param>
/// <param name="Minute">Start of the UTC minute.</param>
/// <param name="Count">Rejections in that minute.</param>
/// <param name="Sources">Distinct source networks (/24 or /48), at most <see cref="RejectionTally.MaxSources"/>.</param>
/// <param name="SourcesOmitted">Rejections from further networks, not listed.</param>
public sealed record RejectionCount(
    string Tenant,
    string Vendor,
    IngressRejection? Reason,
    DateTimeOffset Minute,
    long Count,
    IReadOnlyList<string> Sources,
    long SourcesOmitted)
{
    /// <summary>The reason's stable name, <c>duplicate</c> for a count of duplicates.</summary>
    public string ReasonSlug => Reason?.Slug() ?? "duplicate";
}
