using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;

namespace Pipeline.Tests.Audit;

/// <summary>
/// The stored form of every kind of audit row, pinned: the chain MAC covers every stored string, so a row
/// built today must store exactly what the same row stored before the factories existed. The MACs below
/// were computed from rows built with the positional constructor at each former call site.
/// </summary>
public sealed class AuditRowFormatTests
{
    private static readonly byte[] Key = AuditChain.DeriveKey("golden-pseudonym-key-0123456789abcdef");
    private static readonly DateTimeOffset At = new(2026, 4, 2, 10, 0, 0, TimeSpan.Zero);
    private const string Trace = "0af7651916cd43dd8448eb211c80319c";
    private const string Psn = "psn_0123456789abcdef0123456789abcdef";

    private static Dictionary<string, string> D(params string[] pairs)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            details[pairs[i]] = pairs[i + 1];
        }

        return details;
    }

    public static TheoryData<string, string> Rows() => new()
    {
        { "accepted", "355dfe38ab9a491576edad7a0c5bac193d1456188a91ab99bb0914d133f39a8c" },
        { "subject", "dc71983525ba0944429d5ede2b47658252b7b2bec54b003406e235bd8668364d" },
        { "transcript-stored", "c8fc88f3b0d72fd747813a01d7ec1261c38402785e69bbd2851ba37ca1579012" },
        { "transcript-held", "ff4e2ec5163f1c4c0012c41f34f19d3296eeb33472a20644a96fa2c0f1194b0c" },
        { "transcript-conflict", "f02ad4386cbae5ed395f23425fdfe70ea5f6b54eb3b1862f841cf4a781f44607" },
        { "transcript-failure", "e6a37a6a1db1cf835fd181abf17dc624a888e19ee3c44574ec3ec8b39c30a119" },
        { "read-not-found", "4625cd0dd32fbf31f39a641a80bb0fca23603482a0355ec1ac9a0de8a4139dcb" },
        { "read-invalid-id", "5ff304b5d65ae0ea61a57e879d52321915ec21ac995e747db401b81a7a976411" },
        { "retention", "c5e6667a55c18fa3e175cfb5021a46d45a17682ef941458f4ec02e1dcb5ca137" },
        { "audit-queried", "ca13e3a98e83ad15b49fd6a0ea95a80d28d71bbf072aa9b19924511dd74ae961" },
        { "deadletter", "b712da8da5cf2500ec759c66dc7bfb503bf25d3a0dc6d0ac27957adbf950aa64" },
        { "report", "8f5494cb728940ff2af0de5a47f12494dd08d7e08df80acfe74a8bb0022ae3df" },
        { "subject-exported", "44e0dff4aede5c28838ae8649147a4de0f37013695849f1cf0defcb6d5a086f2" },
        { "rejected-webhooks", "264689d5cc12b0d9df50e24cf2923d4960024d8b48035ce6841fababe119dbbb" },
        { "chain-verified", "d8372fa6306e525c99ee1bf4ddcf03acc9d2bcceef0096e44fe6ef3a88d18fcc" },
        { "message-rejected", "8eff5a8f3cda3eb0be71f4c9c7a6e63a80f0e674a6c40a9eedc9e8996e75c967" },
    };

    /// <summary>Each kind of row as its call site now builds it.</summary>
    private static AuditEntry Row(string name) => (name switch
    {
        "accepted" => AuditEntry.ByVendor("stripe", "acme", At, AuditActions.EventAccepted, AuditOutcome.Success, new AuditResource("event", "evt_1"), eventId: "evt_1", subject: Psn, details: D("vendor", "stripe", "eventType", "invoice.paid")),
        "subject" => AuditEntry.ByVendor("twinmind", "acme", At, EventAudit.SubjectReferenced, AuditOutcome.Success, new AuditResource("subject", Psn), eventId: "evt_2", subject: Psn, details: D("vendor", "twinmind", "eventType", "transcript.completed")) with { KeySuffix = Psn },
        "transcript-stored" => AuditEntry.BySystem("acme", At, AuditActions.TranscriptStored, AuditOutcome.Success, new AuditResource("transcript", "tr-1"), eventId: "evt_3", details: D("reason", "stored in 1 chunks", "participants", "2")),
        "transcript-held" => AuditEntry.BySystem("acme", At, AuditActions.TranscriptRejected, AuditOutcome.Refused, new AuditResource("transcript", "tr-1"), eventId: "evt_4", details: D("reason", "erasure-hold", "participants", "0")),
        "transcript-conflict" => AuditEntry.BySystem("acme", At, AuditActions.TranscriptRejected, AuditOutcome.Conflict, new AuditResource("transcript", null), eventId: "evt_5", details: D("reason", "conflict", "participants", "1")),
        "transcript-failure" => AuditEntry.BySystem("acme", At, AuditActions.TranscriptRejected, AuditOutcome.Failure, new AuditResource("transcript", null), eventId: "evt_6", details: D("reason", "malformed", "participants", "0")),
        "read-not-found" => AuditEntry.ByCaller("oid-1", "acme", At, AuditActions.TranscriptRead, AuditOutcome.NotFound, new AuditResource("transcript", "tr-2"), eventId: "req-1"),
        "read-invalid-id" => AuditEntry.ByCaller("oid-1", "acme", At, AuditActions.TranscriptRead, AuditOutcome.InvalidId, new AuditResource("transcript", null), eventId: "req-2"),
        "retention" => AuditEntry.BySystem("acme", At, AuditActions.RetentionPurged, AuditOutcome.Success, new AuditResource("retention", "run-123"), details: D("auditDeleted", "3", "finished", "true")),
        "audit-queried" => AuditEntry.ByCaller("oid-2", "acme", At, AuditActions.AuditQueried, AuditOutcome.Success, new AuditResource("audit", "q1"), subject: Psn, details: D("returned", "4")),
        "deadletter" => AuditEntry.ByCaller("ops@example.org", "acme", At, AuditActions.DeadLetterPurged, AuditOutcome.Failure, new AuditResource("deadletter", "purge-1"), details: D("run", "purge-1", "failed", "1")) with { KeySuffix = "2" },
        "report" => AuditEntry.ByCaller("oid-3", "acme", At, "report.generated", AuditOutcome.Success, new AuditResource("report", "report-1"), details: D("format", "html", "chain", "intact")),
        "subject-exported" => AuditEntry.ByCaller("oid-4", "acme", At, AuditActions.SubjectExported, AuditOutcome.Failure, new AuditResource("subject", "subject.exported-1"), subject: Psn, details: D("transcripts", "0")),
        "rejected-webhooks" => AuditEntry.ByVendor("github", "acme", At, "webhook.rejected", AuditOutcome.Failure, new AuditResource("webhook", "bad-signature:github:i1"), details: D("reason", "bad-signature", "count", "2")),
        "chain-verified" => AuditEntry.BySystem("acme", At, AuditActions.ChainVerified, AuditOutcome.Failure, new AuditResource("audit-partition", "acme_20260402"), details: D("rows", "7", "breakRowKey", "r5", "reason", "mac")),
        "message-rejected" => AuditEntry.BySystem("acme", At, AuditActions.MessageRejected, AuditOutcome.Failure, new AuditResource("message", "msg-1"), details: D("function", "WriteAudit", "reason", "malformed", "bytes", "12")),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    }) with { TraceId = Trace };

    [Theory]
    [MemberData(nameof(Rows))]
    public void ToEntity_EveryKindOfRow_StoresExactlyWhatItStoredBefore(string name, string mac)
    {
        var entity = AuditTableWriter.ToEntity(Row(name));

        Assert.Equal(mac, AuditChain.Compute(Key, entity));
    }

    [Theory]
    [InlineData(AuditOutcome.Success, "success")]
    [InlineData(AuditOutcome.Failure, "failure")]
    [InlineData(AuditOutcome.NotFound, "not-found")]
    [InlineData(AuditOutcome.InvalidId, "invalid-id")]
    [InlineData(AuditOutcome.Refused, "refused")]
    [InlineData(AuditOutcome.Conflict, "conflict")]
    public void Text_EveryOutcome_IsTheStoredString(AuditOutcome outcome, string stored) => Assert.Equal(stored, outcome.Text());

    [Fact]
    public void Text_EveryOutcomeHasOne() =>
        Assert.All(Enum.GetValues<AuditOutcome>(), outcome => Assert.False(string.IsNullOrEmpty(outcome.Text())));
}
