using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Core.Events;

namespace Pipeline.Tests.Events;

public sealed class EventSerializerTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static PipelineEvent Event(string transcript) => new(
        "evt_1", "twinmind", "acme", "transcript.completed", "k", DateTimeOffset.UnixEpoch, true,
        JsonSerializer.SerializeToElement(new { data = new { transcript } }));

    [Fact]
    public void Serialize_SmallEvent_IsPlainJson()
    {
        var message = BusMessage.ForEvent(Event("short"), "c");

        Assert.Equal((byte)'{', message.Body.Span[0]);
        Assert.Equal(EventSerializer.JsonContentType, message.ContentType);
        Assert.Equal("short", EventSerializer.TryDeserialize(message.Body.Span)!.Payload.GetProperty("data").GetProperty("transcript").GetString());
    }

    [Fact]
    public void Serialize_LargeTranscript_IsCompressedAndRoundTrips()
    {
        var transcript = string.Join(' ', Enumerable.Range(0, 40_000).Select(i => $"speaker{i % 7}: we reviewed item {i % 97}."));
        var original = Event(transcript);

        var message = BusMessage.ForEvent(original, "c");

        Assert.True(EventSerializer.IsCompressed(message.Body.Span));
        Assert.Equal(EventSerializer.CompressedContentType, message.ContentType);
        Assert.True(message.Body.Length * 4 < transcript.Length, $"{message.Body.Length} bytes for {transcript.Length} characters");
        var read = EventSerializer.TryDeserialize(message.Body.Span);
        Assert.Equal(transcript, read!.Payload.GetProperty("data").GetProperty("transcript").GetString());
        Assert.Equal(original.EventId, read.EventId);
    }

    [Theory]
    [InlineData(3_000)]
    [InlineData(30_000)]
    [InlineData(300_000)]
    public void Serialize_RandomText_IsNeverLargerThanPlainJson(int bytes)
    {
        var original = Event(Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)));
        var plain = JsonSerializer.SerializeToUtf8Bytes(original, WebJson);

        var body = EventSerializer.Serialize(original);

        Assert.True(body.Length <= plain.Length, $"{body.Length} > {plain.Length}");
        Assert.Equal(original.Payload.GetRawText(), EventSerializer.TryDeserialize(body)!.Payload.GetRawText());
    }

    [Fact]
    public void TryDeserialize_CorruptOrTruncatedCompressedBody_IsNullNotAnException()
    {
        var body = EventSerializer.Serialize(Event(new string('a', 50_000)));
        Assert.True(EventSerializer.IsCompressed(body));

        Assert.Null(EventSerializer.TryDeserialize(body.AsSpan(0, body.Length / 2)));
        body[^3] ^= 0xFF;
        Assert.Null(EventSerializer.TryDeserialize(body));
        Assert.Null(EventSerializer.TryDeserialize([0x00, (byte)'P', (byte)'E', 0x01, 1, 2, 3]));
    }
}
