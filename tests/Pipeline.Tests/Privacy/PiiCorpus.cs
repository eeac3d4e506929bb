using System.Text;
using System.Text.Json;
using Pipeline.Core.Events;

namespace Pipeline.Tests.Privacy;

/// <summary>
/// PII-laden events for every vendor: each redacted field and each pattern, nested, in arrays and in
/// free text. <see cref="RawValues"/> lists what must never appear in a row, a log line or a response.
/// </summary>
internal static class PiiCorpus
{
    public static readonly string[] RawValues =
    [
        "jane.doe@acme-corp.com", "janet.private@gmail.com", "Janet", "Doenitz", "Regional Director", "E-77123", "Bartholomew", "Quist",
        "b.quist@acme-corp.com", "EMP-4471-XZ", "415 555 0142", "555-0187", "li.wei@acme-corp.com", "93.5", "415-555-0199", "078-05-1120",
        "omar.haddad@acme-corp.com", "failed-remedial", "expired-lapsed", "Struggles with closing", "considering PIP", "4111 1111 1111 1111",
        "4111-1111-1111-1111", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "203.0.113.77", "2001:db8::8a2e:370:7334", "Priya", "Raman",
        "priya.raman@example.org", "Okafor", "tom.okafor@example.net", "+44 20 7946 0958", "quarterly churn numbers", "rec.example",
        "sofia.nested@example.com", "198.51.100.23", "fe80::1ff:fe23:4567:890a", "map.key@example.com", "5555555555554444",
        "jürgen@bücher.example", "ext-8841-jd", "2819c223-7f76", "Field Sales EMEA", "Lisbeth Warnke", "Konstantin Varga", "needs a nudge",
        "Renewal risk for Globex", "send deck to Priya", "Board prep: Q3 layoffs", "nested-secret-value", "unknown-field-value",
    ];

    /// <summary>The subjects the rows must carry as pseudonyms.</summary>
    public const string ScimUser = "jane.doe@acme-corp.com";
    public const string FirstParticipant = "priya.raman@example.org";
    public const string SecondParticipant = "tom.okafor@example.net";

    public static IReadOnlyList<(string Vendor, string Body)> Events(string run) =>
    [
        ("mindtickle", $$$$"""
        {"event_id":"{{{{run}}}}-user","event_type":"user.created","occurred_at":"2026-11-22T10:00:00Z","data":{"user":{
          "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
          "userName":"jane.doe@acme-corp.com","name":{"givenName":"Janet","familyName":"Doenitz"},
          "emails":[{"value":"jane.doe@acme-corp.com","type":"work","primary":true},{"value":"janet.private@gmail.com","type":"home"}],
          "title":"Regional Director","active":true,"phoneNumbers":[{"value":"+1 415 555 0142","type":"work"}],
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E-77123","manager":{"value":"mgr-99812","displayName":"Bartholomew Quist"}},
          "phone":"(212) 555-0187","manager_email":"b.quist@acme-corp.com","employee_id":"EMP-4471-XZ",
          "externalId":"ext-8841-jd","id":"2819c223-7f76","department":"Field Sales EMEA",
          "unknown":{"deeper":{"still":"nested-secret-value"}},"private_email":"jürgen@bücher.example"}}}
        """),
        ("mindtickle", $$$$"""
        {"event_id":"{{{{run}}}}-course","event_type":"course.completed","occurred_at":"2026-11-22T10:01:00Z","data":{
          "user_email":"li.wei@acme-corp.com","course_id":"c-101","score":93.5,
          "learner_name":"Lisbeth Warnke","manager_name":"Konstantin Varga","extra":"unknown-field-value",
          "comment":"Call me at 415-555-0199 or mail li.wei@acme-corp.com; SSN 078-05-1120"}}
        """),
        ("mindtickle", $$$$"""
        {"event_id":"{{{{run}}}}-cert","event_type":"certification.status_changed","occurred_at":"2026-11-22T10:02:00Z","data":{
          "email":"omar.haddad@acme-corp.com","certification_status":"failed-remedial",
          "history":[{"certification_status":"expired-lapsed","at":"2025-01-01"}]}}
        """),
        ("mindtickle", $$$$"""
        {"event_id":"{{{{run}}}}-coach","event_type":"coaching.session.completed","occurred_at":"2026-11-22T10:03:00Z","data":{
          "email":"omar.haddad@acme-corp.com","coaching_notes":"Struggles with closing; considering PIP","score":41,"remark":"needs a nudge",
          "free_text":["card 4111 1111 1111 1111 and 4111-1111-1111-1111", {"bank":"IBAN DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432"}],
          "seen_from":"203.0.113.77 then 2001:db8::8a2e:370:7334","card_as_number":5555555555554444}}
        """),
        ("twinmind", $$$$"""
        {"id":"{{{{run}}}}-meeting","type":"transcript.completed","created_at":"2026-11-22T10:04:00Z","data":{
          "transcript_id":"tr-1","meeting_id":"m-1","language":"en",
          "participants":[{"name":"Priya Raman","email":"priya.raman@example.org"},{"name":"Tom Okafor","email":"tom.okafor@example.net"}],
          "transcript":"Priya: reach me on +44 20 7946 0958. Tom: let us review the quarterly churn numbers.",
          "summary":"Follow up with tom.okafor@example.net, dial +44 20 7946 0958. Renewal risk for Globex",
          "action_items":["send deck to Priya"],"title":"Board prep: Q3 layoffs","consent":true}}
        """),
        ("standard", """
        {"type":"contact.updated","timestamp":"2026-11-22T10:05:00Z","data":{
          "contact":{"note":"from 198.51.100.23 / fe80::1ff:fe23:4567:890a"},
          "lists":[["nested","sofia.nested@example.com"]],
          "by_email":{"map.key@example.com":{"plan":"gold"}}}}
        """),
    ];

    public static byte[] Bytes(string body) => Encoding.UTF8.GetBytes(body);

    /// <summary>A corpus body as the ingress would have accepted it (vendor route name, exact event type).</summary>
    public static PipelineEvent Event(string vendor, string body)
    {
        var payload = JsonDocument.Parse(body).RootElement.Clone();
        var type = (payload.TryGetProperty("event_type", out var t) || payload.TryGetProperty("type", out t)) ? t.GetString()! : "unknown";
        return new PipelineEvent("evt_" + type, vendor, "acme", type, "key", DateTimeOffset.UnixEpoch, vendor == "twinmind", payload);
    }

    /// <summary>Every raw value found in <paramref name="text"/> (case-insensitive); empty when clean.</summary>
    public static IReadOnlyList<string> Leaks(string text) =>
        RawValues.Where(v => text.Contains(v, StringComparison.OrdinalIgnoreCase)).ToList();
}
