using Pipeline.Core.Privacy;
using static Pipeline.Core.Privacy.PipelineTaxonomy;

namespace Pipeline.Core.Webhooks.Vendors.GitHub;

/// <summary>
/// GitHub's event schemas. Repository, organisation, installation, hook and commit ids, refs and times
/// are kept; people's names, logins, emails and commit messages are personal and never kept. The event
/// type is a header, so the body has no envelope fields of its own beyond these ids.
/// </summary>
public static class GitHubEvents
{
    /// <summary>Sent once when a webhook is created.</summary>
    public const string Ping = "ping";

    /// <summary>Commits pushed to a branch or tag.</summary>
    public const string Push = "push";

    /// <summary>The fields every GitHub event may carry.</summary>
    public static EventSchema Envelope { get; } = EventSchema.Of(
        ("action", Safe),
        ("repository/id", Safe),
        ("organization/id", Safe),
        ("installation/id", Safe),
        ("repository/name", PersonalData),
        ("repository/full_name", PersonalData),
        ("repository/owner/login", PersonalData),
        ("organization/login", PersonalData),
        ("sender/id", PersonalData),
        ("sender/login", PersonalData));

    private static readonly string[] PersonalCommitFields =
        ["message", "author/name", "author/email", "author/username", "committer/name", "committer/email", "committer/username"];

    /// <summary>The event types with a known schema.</summary>
    public static IReadOnlyDictionary<string, EventSchema> Types { get; } = new Dictionary<string, EventSchema>(StringComparer.Ordinal)
    {
        [Ping] = Envelope.With(
            ("zen", Safe),
            ("hook_id", Safe),
            ("hook/id", Safe),
            ("hook/type", Safe),
            ("hook/active", Safe),
            ("hook/events/[]", Safe),
            // The delivery URL can carry a token in its query.
            ("hook/config/url", Secret)),
        [Push] = Envelope.With(
            [
                ("ref", Safe),
                ("base_ref", Safe),
                ("before", Safe),
                ("after", Safe),
                ("created", Safe),
                ("deleted", Safe),
                ("forced", Safe),
                ("commits/[]/id", Safe),
                ("commits/[]/timestamp", Safe),
                ("commits/[]/distinct", Safe),
                ("head_commit/id", Safe),
                ("head_commit/timestamp", Safe),
                ("pusher/name", PersonalData),
                ("pusher/email", PersonalData),
                ("compare", PersonalData),
                .. PersonalCommitFields.Select(field => ($"commits/[]/{field}", PersonalData)),
                .. PersonalCommitFields.Select(field => ($"head_commit/{field}", PersonalData)),
            ]),
    };
}
