using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Issue 17 at the ingestor: correctly signed bodies that used to pass the parser and then throw
/// further down (invalid UTF-8, lone surrogates, nesting at the serializer's limit) are refused at
/// parse time, and events a consumer could not store are refused naming the limit.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
    private readonly Dictionary<string, string> _secrets = WebhookVendors.All.Select(v => v.RouteName).ToDictionary(v => v, NewSecret);
    private readonly WebhookIngestor _ingestor;

    public HostileInputTests()
    {
        var options = new PipelineOptions();
        options.Tenants["acme"] = new TenantOptions
        {
            Vendors =
            {
                ["mindtickle"] = new VendorOptions { Secrets = [_secrets["mindtickle"]], Scopes = [EventCatalogue.ScimWriteScope] },
                ["twinmind"] = new VendorOptions { Secrets = [_secrets["twinmind"]] },
                ["standard"] = new VendorOptions { Secrets = [_secrets["standard"]] },
            },
        };
        _ingestor = new WebhookIngestor(options, new WebhookOptions(), WebhookVendors.All, new FakeTimeProvider(Now));
    }

    private IngressResult Ingest(string vendor, byte[] body)
    {
        var tenant = _ingestor.Resolve(WebhookVendors.Get(vendor), "acme") ?? throw new InvalidOperationException("tenant not resolved");
        return _ingestor.Ingest(tenant, Lookup(HeadersFor(vendor, _secrets[vendor], body, Now, "msg_1")), body);
    }

    private IngressResult Ingest(string vendor, string body) => Ingest(vendor, Encoding.UTF8.GetBytes(body));

    /// <summary>Nested arrays around a valid event's data: <paramref name="depth"/> containers in all, the root object included.</summary>
    internal static string Nested(int depth) =>
        """{"type":"deep.event","data":{"x":""" + new string('[', depth - 2) + "0" + new string(']', depth - 2) + "}}";

    [Theory]
    [InlineData("mindtickle", """{"event_id":"e1","event_type":"course.\ud800","data":{"score":1}}""")]
    [InlineData("mindtickle", """{"event_id":"e\udfff1","event_type":"course.completed","data":{"score":1}}""")]
    [InlineData("mindtickle", """{"event_id":"e1","event_type":"user.created","data":{"user":{"userName":"a\ud800b","name":{"givenName":"A","familyName":"B"}}}}""")]
    [InlineData("twinmind", """{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"Hello \ud83d there"}}""")]
    [InlineData("twinmind", """{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"ok","participants":[{"name":"\udc00","email":"a@example.com"}]}}""")]
    [InlineData("standard", """{"type":"a.b","data":{"\ud800key":1}}""")]
    public void Ingest_LoneSurrogateInSignedField_IsMalformedJson(string vendor, string body)
    {
        Assert.Equal(IngressRejection.MalformedJson, Ingest(vendor, body).Rejection);
    }

    [Fact]
    public void Ingest_EscapedSurrogatePair_IsAccepted()
    {
        var result = Ingest("twinmind", """{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"Hi \ud83d\ude00"}}""");

        Assert.True(result.IsAccepted);
    }

    [Theory]
    [InlineData("mindtickle", "event_type", new byte[] { 0xC3, 0x28 })]
    [InlineData("mindtickle", "event_id", new byte[] { 0xFF })]
    [InlineData("twinmind", "id", new byte[] { 0xED, 0xA0, 0x80 })] // a surrogate encoded as UTF-8 (CESU)
    [InlineData("twinmind", "transcript", new byte[] { 0xE2, 0x82 })]
    [InlineData("standard", "type", new byte[] { 0xC0, 0xAF })] // overlong '/'
    public void Ingest_InvalidUtf8InSignedField_IsMalformedJson(string vendor, string field, byte[] invalid)
    {
        var template = vendor switch
        {
            "mindtickle" => """{"event_id":"e1","event_type":"course.completed","data":{"score":1}}""",
            "twinmind" => """{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"Hello"}}""",
            _ => """{"type":"a.b","data":{}}""",
        };
        var marker = $"\"{field}\":\"";
        var at = template.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        byte[] body = [.. Encoding.UTF8.GetBytes(template[..at]), .. invalid, .. Encoding.UTF8.GetBytes(template[at..])];

        Assert.Equal(IngressRejection.MalformedJson, Ingest(vendor, body).Rejection);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(StrictJson.MaxDepth, true)]
    [InlineData(StrictJson.MaxDepth + 1, false)]
    [InlineData(63, false)]
    [InlineData(64, false)]
    [InlineData(65, false)]
    [InlineData(5000, false)]
    public void Ingest_Nesting_AcceptedUpToMaxDepthAndSerializable(int depth, bool accepted)
    {
        var result = Ingest("standard", Nested(depth));

        Assert.Equal(accepted, result.IsAccepted);
        if (accepted)
        {
            // What the ingress accepts, the publisher serializes and the consumer reads back.
            var message = BusMessage.ForEvent(result.Event!, "c");
            Assert.NotNull(EventSerializer.TryDeserialize(message.Body.Span));
        }
        else
        {
            Assert.Equal(IngressRejection.MalformedJson, result.Rejection);
        }
    }

    [Theory]
    [InlineData(ConsumerLimits.MaxParticipants, true)]
    [InlineData(ConsumerLimits.MaxParticipants + 1, false)]
    [InlineData(1000, false)]
    public void Ingest_MeetingParticipants_RefusedBeyondWhatTheStoresHold(int participants, bool accepted)
    {
        var list = string.Join(',', Enumerable.Range(0, participants).Select(i => $$"""{"name":"P {{i}}","email":"p{{i}}@example.com"}"""));
        var body = """{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"Hello","participants":[""" + list + "]}}";

        var result = Ingest("twinmind", body);

        Assert.Equal(accepted, result.IsAccepted);
        if (!accepted)
        {
            Assert.Equal(IngressRejection.OverConsumerLimit, result.Rejection);
            Assert.Equal("data.participants", result.Field);
            Assert.Equal($"at most {ConsumerLimits.MaxParticipants} participants", result.Limit);
        }
    }

    [Theory]
    [InlineData(ConsumerLimits.MaxScimEmails, true)]
    [InlineData(ConsumerLimits.MaxScimEmails + 1, false)]
    public void Ingest_ScimUserEmails_RefusedBeyondWhatTheAuditRowHolds(int emails, bool accepted)
    {
        var user = EventCatalogueTests.UserEvent();
        user["data"]!["user"]!["emails"] = new System.Text.Json.Nodes.JsonArray(
            [.. Enumerable.Range(0, emails).Select(i => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["value"] = $"alias.{i}@example.com" })]);

        var result = Ingest("mindtickle", user.ToJsonString());

        Assert.Equal(accepted, result.IsAccepted);
        if (!accepted)
        {
            Assert.Equal(IngressRejection.OverConsumerLimit, result.Rejection);
            Assert.Equal("data.user.emails", result.Field);
        }
    }

    [Fact]
    public void Ingest_TranscriptLargerThanOneStoreTransaction_IsOverConsumerLimit()
    {
        var body = "{\"id\":\"t1\",\"type\":\"transcript.completed\",\"data\":{\"transcript_id\":\"tr-1\",\"transcript\":\"" + new string('a', ConsumerLimits.MaxTranscriptBytes + 1) + "\"}}";

        var result = Ingest("twinmind", body);

        Assert.Equal(IngressRejection.OverConsumerLimit, result.Rejection);
        Assert.Equal("data.transcript", result.Field);
    }

    [Theory]
    [InlineData(IngressRejection.UnknownVendor, true)]
    [InlineData(IngressRejection.TenantNotAllowed, true)]
    [InlineData(IngressRejection.MissingHeaders, true)]
    [InlineData(IngressRejection.BadSignature, true)]
    [InlineData(IngressRejection.StaleTimestamp, true)]
    [InlineData(IngressRejection.CompanyMismatch, true)]
    [InlineData(IngressRejection.BodyTooLarge, true)]
    [InlineData(IngressRejection.IncompleteBody, true)]
    [InlineData(IngressRejection.MalformedJson, false)]
    [InlineData(IngressRejection.SchemaInvalid, false)]
    [InlineData(IngressRejection.MissingScope, false)]
    [InlineData(IngressRejection.OverConsumerLimit, false)]
    [InlineData(IngressRejection.StorageUnavailable, false)]
    public void IsUnverified_RefusalsBeforeTheSignatureVerified(IngressRejection rejection, bool unverified)
    {
        Assert.Equal(unverified, rejection.IsUnverified());
    }

    [Theory]
    [InlineData("127.0.0.1", "198.51.100.7", "", "127.0.0.1")] // no trusted proxy: the header is never read
    [InlineData("127.0.0.1", "198.51.100.7", "10.0.0.0/8", "127.0.0.1")] // the connection is not from a trusted proxy
    [InlineData("127.0.0.1", "198.51.100.7", "127.0.0.1", "198.51.100.7")]
    [InlineData("127.0.0.1", "203.0.113.9, 198.51.100.7:5123", "127.0.0.1", "198.51.100.7")] // rightmost wins; App Service adds the port
    [InlineData("127.0.0.1", "198.51.100.7, 10.1.2.3", "127.0.0.1;10.0.0.0/8", "198.51.100.7")] // trusted hops are skipped
    [InlineData("127.0.0.1", "198.51.100.7, garbage", "127.0.0.1", "127.0.0.1")] // unparsable: believe nothing
    [InlineData("::ffff:127.0.0.1", "[2001:db8::5]:443", "127.0.0.1", "2001:db8::5")]
    public void ClientAddress_ForwardedForBelievedOnlyFromTrustedProxies(string remote, string forwardedFor, string trusted, string expected)
    {
        var networks = trusted.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => ForwardedFor.TryParseNetwork(t, out var n) ? n : throw new ArgumentException(t)).ToList();

        var address = ForwardedFor.ClientAddress(IPAddress.Parse(remote), forwardedFor, networks);

        Assert.Equal(IPAddress.Parse(expected), address!.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("not-an-address", false)]
    [InlineData("", false)]
    public void TryParseNetwork_AddressesAndCidrs(string text, bool valid)
    {
        Assert.Equal(valid, ForwardedFor.TryParseNetwork(text, out _));
    }

    [Fact]
    public void StrictJson_WhatPassesReadsEverywhereWithoutThrowing()
    {
        using var document = StrictJson.TryParse("""{"a":"\u00e9\ud83d\ude00","b":[{"c":"d"}]}"""u8.ToArray());

        Assert.NotNull(document);
        Assert.Equal("é😀", document.RootElement.GetProperty("a").GetString());
        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("b").ValueKind);
    }
}
