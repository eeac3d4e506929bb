using System.Globalization;
using Pipeline.Core.Audit;

namespace Pipeline.Core.Reports;

/// <summary>What a period's audit rows say happened, counted per day and per caller.</summary>
/// <param name="Accepted">Events accepted per day, by <c>vendor · event type</c>.</param>
/// <param name="Rejected">Webhooks refused per day, by reason (from the per-minute rejection tallies).</param>
/// <param name="Duplicates">Redeliveries answered as duplicates (from the per-minute duplicate tallies).</param>
/// <param name="Transcripts">Transcripts stored, skipped, refused, read and deleted.</param>
/// <param name="SubjectRequests">GDPR exports and erasures served, oldest first.</param>
/// <param name="RetentionRuns">Retention purges of the tenant, oldest first.</param>
/// <param name="Callers">Every caller (not a vendor, not the system) that used the tenant's APIs, by object id.</param>
public sealed record ReportActivity(
    IReadOnlyList<DayCounts> Accepted,
    IReadOnlyList<DayCounts> Rejected,
    long Duplicates,
    TranscriptActivity Transcripts,
    IReadOnlyList<SubjectRequest> SubjectRequests,
    IReadOnlyList<RetentionRun> RetentionRuns,
    IReadOnlyList<CallerUse> Callers);

/// <summary>Counts per series for one day.</summary>
public sealed record DayCounts(DateOnly Day, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>The day's total over every series.</summary>
    public long Total => Counts.Values.Sum();
}

/// <summary>The transcripts of the period.</summary>
/// <param name="Stored">Encrypted and stored.</param>
/// <param name="Skipped">Not stored by policy, by reason (e.g. <c>no-consent</c>).</param>
/// <param name="Refused">Not stored for cause (too large, held after an erasure, a conflicting id), by outcome.</param>
/// <param name="Readers">Callers that read transcripts successfully.</param>
/// <param name="ReadsRefused">Read attempts that found nothing or named no valid id.</param>
/// <param name="Deletions">Deletions through the API, oldest first.</param>
public sealed record TranscriptActivity(
    long Stored,
    IReadOnlyDictionary<string, long> Skipped,
    IReadOnlyDictionary<string, long> Refused,
    IReadOnlyList<CallerUse> Readers,
    long ReadsRefused,
    IReadOnlyList<TranscriptDeletion> Deletions);

/// <summary>A transcript deleted (crypto-shredded) by a caller; the id is the vendor's transcript id, never personal.</summary>
public sealed record TranscriptDeletion(DateTimeOffset At, string? TranscriptId, string Actor, string Outcome);

/// <summary>A subject export (<c>export</c>) or erasure (<c>erasure</c>), naming the subject by pseudonym only.</summary>
public sealed record SubjectRequest(DateTimeOffset At, string Kind, string? Pseudonym, string Actor, string Outcome);

/// <summary>A retention run: when, rows purged per kind, and whether it finished within its budget.</summary>
public sealed record RetentionRun(DateTimeOffset At, IReadOnlyDictionary<string, long> Purged, bool Finished);

/// <summary>How often a caller did something, and when last.</summary>
public sealed record CallerUse(string Actor, long Uses, DateTimeOffset LastUse);

/// <summary>
/// Folds audit rows, in any order, into <see cref="ReportActivity"/>. Only rows of the audit vocabulary count;
/// anything else is ignored, so a row the report does not know cannot put an unknown value into it.
/// </summary>
public sealed class ReportActivityBuilder
{
    private readonly SortedDictionary<DateOnly, Dictionary<string, long>> _accepted = [];
    private readonly SortedDictionary<DateOnly, Dictionary<string, long>> _rejected = [];
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CallerUse> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CallerUse> _callers = new(StringComparer.Ordinal);
    private readonly List<TranscriptDeletion> _deletions = [];
    private readonly List<SubjectRequest> _subjects = [];
    private readonly List<RetentionRun> _retention = [];
    private long _duplicates;
    private long _stored;
    private long _readsRefused;

    /// <summary>Counts one row.</summary>
    public void Add(AuditEntry row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var day = DateOnly.FromDateTime(row.Timestamp.UtcDateTime);
        if (IsCaller(row.Actor))
        {
            _callers[row.Actor] = Use(_callers, row.Actor, row.Timestamp);
        }

        switch (row.Action)
        {
            case AuditActions.EventAccepted:
                Count(_accepted, day, $"{Detail(row, "vendor")} · {Detail(row, "eventType")}", 1);
                break;
            case Webhooks.RejectionTally.Action:
                Count(_rejected, day, Detail(row, "reason"), Number(row, "count"));
                break;
            case Webhooks.RejectionTally.DuplicateAction:
                _duplicates += Number(row, "count");
                break;
            case AuditActions.TranscriptStored:
                _stored++;
                break;
            case AuditActions.TranscriptSkipped:
                Increment(_skipped, Detail(row, "reason"));
                break;
            case AuditActions.TranscriptRejected:
                Increment(_refused, row.Outcome);
                break;
            case AuditActions.TranscriptRead when row.Outcome == AuditOutcome.Success.Text():
                _readers[row.Actor] = Use(_readers, row.Actor, row.Timestamp);
                break;
            case AuditActions.TranscriptRead:
                _readsRefused++;
                break;
            case AuditActions.TranscriptDeleted:
                _deletions.Add(new TranscriptDeletion(row.Timestamp, row.ResourceId, row.Actor, row.Outcome));
                break;
            case AuditActions.SubjectExported or AuditActions.SubjectErased when row.ResourceType == "subject":
                _subjects.Add(new SubjectRequest(row.Timestamp, row.Action == AuditActions.SubjectErased ? "erasure" : "export", row.Subject, row.Actor, row.Outcome));
                break;
            case AuditActions.RetentionPurged when row.ResourceType == "retention":
                _retention.Add(new RetentionRun(
                    row.Timestamp,
                    row.Details.Where(d => d.Key.EndsWith("Deleted", StringComparison.Ordinal))
                        .ToDictionary(d => d.Key[..^"Deleted".Length], d => ParseCount(d.Value), StringComparer.Ordinal),
                    Detail(row, "finished") != "false"));
                break;
        }
    }

    /// <summary>The activity of every row added.</summary>
    public ReportActivity Build() => new(
        Days(_accepted),
        Days(_rejected),
        _duplicates,
        new TranscriptActivity(_stored, Sorted(_skipped), Sorted(_refused), ByActor(_readers), _readsRefused, [.. _deletions.OrderBy(d => d.At)]),
        [.. _subjects.OrderBy(s => s.At)],
        [.. _retention.OrderBy(r => r.At)],
        ByActor(_callers));

    /// <summary>A caller is a person or workload by object id (or the CLI's <c>cli:</c> user), not a vendor or the pipeline itself.</summary>
    public static bool IsCaller(string actor) =>
        !string.IsNullOrEmpty(actor) && actor != "system" && !actor.StartsWith("vendor:", StringComparison.Ordinal);

    private static void Count(SortedDictionary<DateOnly, Dictionary<string, long>> days, DateOnly day, string series, long count)
    {
        if (!days.TryGetValue(day, out var counts))
        {
            days[day] = counts = new Dictionary<string, long>(StringComparer.Ordinal);
        }

        counts[series] = counts.GetValueOrDefault(series) + count;
    }

    private static void Increment(Dictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static CallerUse Use(Dictionary<string, CallerUse> uses, string actor, DateTimeOffset at) =>
        uses.TryGetValue(actor, out var use)
            ? use with { Uses = use.Uses + 1, LastUse = at > use.LastUse ? at : use.LastUse }
            : new CallerUse(actor, 1, at);

    private static string Detail(AuditEntry row, string key) => row.Details.TryGetValue(key, out var value) && value.Length > 0 ? value : "unknown";

    private static long Number(AuditEntry row, string key) => row.Details.TryGetValue(key, out var value) ? ParseCount(value) : 1;

    private static long ParseCount(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;

    private static IReadOnlyList<DayCounts> Days(SortedDictionary<DateOnly, Dictionary<string, long>> days) =>
        [.. days.Select(d => new DayCounts(d.Key, d.Value))];

    private static SortedDictionary<string, long> Sorted(Dictionary<string, long> counts) =>
        new SortedDictionary<string, long>(counts, StringComparer.Ordinal);

    private static IReadOnlyList<CallerUse> ByActor(Dictionary<string, CallerUse> uses) =>
        [.. uses.Values.OrderByDescending(u => u.Uses).ThenBy(u => u.Actor, StringComparer.Ordinal)];
}
