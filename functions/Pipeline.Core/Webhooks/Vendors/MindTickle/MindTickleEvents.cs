using Pipeline.Core.Privacy;
using static Pipeline.Core.Privacy.PipelineTaxonomy;

namespace Pipeline.Core.Webhooks.Vendors.MindTickle;

/// <summary>
/// MindTickle's event schemas (SPEC §3.1): SCIM 2.0 user provisioning and training events. Everything
/// about the person is personal or HR-confidential (scores, certification status, coaching notes);
/// only the envelope, course/session ids and the subject's pseudonym reach an audit row.
/// </summary>
public static class MindTickleEvents
{
    /// <summary>The SCIM 2.0 enterprise User extension (RFC 7643 §4.3).</summary>
    public const string EnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    /// <summary><c>{"event_id", "event_type", "occurred_at", "data"}</c>.</summary>
    public static EventSchema Envelope { get; } = EventSchema.Of(("event_id", Safe), ("event_type", Safe), ("occurred_at", Safe));

    private static readonly EventSchema ScimUser = Envelope.With(
        ("data/user/userName", Subject),
        ("data/user/emails/[]/value", Subject),
        ("data/user/active", Safe),
        ("data/user/id", PersonalData),
        ("data/user/externalId", PersonalData),
        ("data/user/name/givenName", PersonalData),
        ("data/user/name/familyName", PersonalData),
        ("data/user/name/middleName", PersonalData),
        ("data/user/name/formatted", PersonalData),
        ("data/user/displayName", PersonalData),
        ("data/user/emails/[]/type", PersonalData),
        ("data/user/emails/[]/primary", PersonalData),
        ("data/user/phoneNumbers/[]/value", PersonalData),
        ("data/user/title", PersonalData),
        ("data/user/department", PersonalData),
        ($"data/user/{EnterpriseUser}/employeeNumber", PersonalData),
        ($"data/user/{EnterpriseUser}/department", PersonalData),
        ($"data/user/{EnterpriseUser}/manager/value", PersonalData),
        ($"data/user/{EnterpriseUser}/manager/displayName", PersonalData));

    private static readonly EventSchema Training = Envelope.With(
        ("data/user_email", Subject),
        ("data/email", Subject),
        ("data/userName", Subject),
        ("data/learner_name", PersonalData),
        ("data/manager_name", PersonalData),
        ("data/manager_email", PersonalData),
        ("data/comment", PersonalData));

    /// <summary>The event types MindTickle sends, each with its schema.</summary>
    public static IReadOnlyDictionary<string, EventSchema> Types { get; } = new Dictionary<string, EventSchema>(StringComparer.Ordinal)
    {
        ["user.created"] = ScimUser,
        ["user.updated"] = ScimUser,
        ["user.deactivated"] = ScimUser,
        ["course.completed"] = Training.With(("data/course_id", Safe), ("data/score", HrConfidential)),
        ["certification.status_changed"] = Training.With(("data/certification_id", Safe), ("data/certification_status", HrConfidential)),
        ["coaching.session.completed"] = Training.With(("data/session_id", Safe), ("data/coaching_notes", HrConfidential), ("data/score", HrConfidential)),
    };
}
