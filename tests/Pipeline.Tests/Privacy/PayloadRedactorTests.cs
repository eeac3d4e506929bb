using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;

namespace Pipeline.Tests.Privacy;

public sealed class PayloadRedactorTests
{
    private const string Key = "a-pseudonym-key-of-at-least-32-characters";
    private static readonly PayloadRedactor Redactor = new(Key, ["title"]);

    [Fact]
    public void Redact_Corpus_LeavesNoRawValue()
    {
        foreach (var (_, body) in PiiCorpus.Events("run"))
        {
            using var document = JsonDocument.Parse(body);

            var redacted = Redactor.Redact(document.RootElement)!.ToJsonString();

            Assert.Empty(PiiCorpus.Leaks(redacted));
        }
    }

    [Fact]
    public void Redact_ScimUser_PseudonymisesIdentifiersAndErasesTheRest()
    {
        using var document = JsonDocument.Parse(PiiCorpus.Events("run")[0].Body);

        var user = Redactor.Redact(document.RootElement)!["data"]!["user"]!;

        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.ScimUser), user["userName"]!.GetValue<string>());
        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.ScimUser), user["emails"]![0]!["value"]!.GetValue<string>());
        Assert.Equal(PayloadRedactor.ErasedMarker, user["name"]!.GetValue<string>());
        Assert.Equal(PayloadRedactor.ErasedMarker, user["title"]!.GetValue<string>());
        Assert.True(user["active"]!.GetValue<bool>());
        var enterprise = user.AsObject().Single(p => p.Key.Contains("enterprise", StringComparison.Ordinal)).Value!;
        Assert.Equal(PayloadRedactor.ErasedMarker, enterprise["manager"]!.GetValue<string>());
        Assert.Equal(Pseudonyms.Of(Key, "E-77123"), enterprise["employeeNumber"]!.GetValue<string>());
    }

    [Fact]
    public void Redact_TrainingEvent_ErasesScoresAndStatusesAtAnyDepth()
    {
        using var cert = JsonDocument.Parse(PiiCorpus.Events("run")[2].Body);
        using var coach = JsonDocument.Parse(PiiCorpus.Events("run")[3].Body);

        var certData = Redactor.Redact(cert.RootElement)!["data"]!;
        var coachData = Redactor.Redact(coach.RootElement)!["data"]!;

        Assert.Equal(PayloadRedactor.ErasedMarker, certData["certification_status"]!.GetValue<string>());
        Assert.Equal(PayloadRedactor.ErasedMarker, certData["history"]![0]!["certification_status"]!.GetValue<string>());
        Assert.Equal("2025-01-01", certData["history"]![0]!["at"]!.GetValue<string>());
        Assert.Equal(PayloadRedactor.ErasedMarker, coachData["score"]!.GetValue<string>());
        Assert.Equal(PayloadRedactor.ErasedMarker, coachData["card_as_number"]!.GetValue<string>());
        Assert.Equal("card [card] and [card]", coachData["free_text"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Redact_WithoutTenantField_KeepsIt_AndDefaultsCannotBeRemoved()
    {
        var defaults = new PayloadRedactor(Key);
        using var document = JsonDocument.Parse("""{"title":"Regional Director","score":3}""");

        var redacted = defaults.Redact(document.RootElement)!;

        Assert.Equal("Regional Director", redacted["title"]!.GetValue<string>());
        Assert.Equal(PayloadRedactor.ErasedMarker, redacted["score"]!.GetValue<string>());
    }

    [Fact]
    public void EventAuditFor_Meeting_OneRowPerParticipant_AllRedacted()
    {
        using var document = JsonDocument.Parse(PiiCorpus.Events("run")[4].Body);
        var meeting = new PipelineEvent("evt_1", "twinmind", "acme", "transcript.completed", "run-meeting", DateTimeOffset.UnixEpoch, true, document.RootElement.Clone());

        var rows = EventAudit.For(meeting, Redactor);

        Assert.Equal(2, rows.Count);
        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.FirstParticipant), rows[0].Subject);
        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.SecondParticipant), rows[1].Subject);
        Assert.Equal(EventAudit.SubjectReferenced, rows[1].Action);
        Assert.NotEqual(rows[0].RowKey, rows[1].RowKey);
        Assert.Single(rows.Select(r => r.PartitionKey).Distinct());
        var payload = JsonNode.Parse(rows[0].Details["payload"])!;
        Assert.Equal(PayloadRedactor.ErasedMarker, payload["data"]!["transcript"]!.GetValue<string>());
        Assert.Empty(PiiCorpus.Leaks(string.Join('|', rows.SelectMany(r => r.Details.Values.Append(r.Subject ?? "")))));
    }

    [Fact]
    public void EventAuditFor_HugePayload_IsCutToThePropertyLimit()
    {
        var big = JsonSerializer.SerializeToElement(new { data = new { comment = new string('x', 100_000) } });
        var pipelineEvent = new PipelineEvent("evt_2", "standard", "acme", "big", "k", DateTimeOffset.UnixEpoch, false, big);

        var row = Assert.Single(EventAudit.For(pipelineEvent, Redactor));

        Assert.Equal(EventAudit.MaxPayloadChars, row.Details["payload"].Length);
        Assert.Equal("true", row.Details["payloadTruncated"]);
    }
}
