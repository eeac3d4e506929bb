using System.Text;
using System.Text.Json;
using Pipeline.Host.Invocations;

namespace Pipeline.Tests.Invocations;

public sealed class ReceivedMessageTests
{
    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [Fact]
    public void TryParse_BinaryBodyWithJsonQuotedMetadata_DecodesEverything()
    {
        var body = Convert.ToBase64String("""{"a":1}"""u8);
        var invocation = Parse("""{"Data":{"message":"BODY"},""".Replace("BODY", body, StringComparison.Ordinal) + """
             "Metadata":{"MessageId":"\"evt_1\"","CorrelationId":"\"corr\"","DeliveryCount":"3",
                         "ApplicationProperties":"{\"tenant\":\"acme\",\"hasTranscript\":true}"}}
            """);

        var message = ReceivedMessage.TryParse(invocation);

        Assert.NotNull(message);
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(message.Body));
        Assert.Equal("evt_1", message.MessageId);
        Assert.Equal("corr", message.CorrelationId);
        Assert.Equal(3, message.DeliveryCount);
        Assert.Equal("acme", message.ApplicationProperties["tenant"]);
        Assert.Equal("true", message.ApplicationProperties["hasTranscript"]);
    }

    [Fact]
    public void TryParse_PlainMetadataAndObjectBody_DecodesEverything()
    {
        var invocation = Parse("""
            {"data":{"message":{"a":1}},
             "metadata":{"MessageId":"evt_2","DeliveryCount":7,"UserProperties":{"vendor":"twinmind"}}}
            """);

        var message = ReceivedMessage.TryParse(invocation);

        Assert.NotNull(message);
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(message.Body));
        Assert.Equal("evt_2", message.MessageId);
        Assert.Equal(7, message.DeliveryCount);
        Assert.Equal("twinmind", message.ApplicationProperties["vendor"]);
    }

    [Fact]
    public void TryParse_MissingOrOddMetadata_DefaultsInsteadOfThrowing()
    {
        var invocation = Parse("""{"Data":{"message":"bm90IGpzb24="},"Metadata":{"DeliveryCount":"\"x\"","ApplicationProperties":"not json"}}""");

        var message = ReceivedMessage.TryParse(invocation);

        Assert.NotNull(message);
        Assert.Equal("not json", Encoding.UTF8.GetString(message.Body));
        Assert.Null(message.MessageId);
        Assert.Equal(1, message.DeliveryCount);
        Assert.Empty(message.ApplicationProperties);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"Data":{}}""")]
    [InlineData("""{"Data":{"message":null}}""")]
    [InlineData("""{"Data":{"message":42}}""")]
    [InlineData("""[]""")]
    public void TryParse_NoMessage_ReturnsNull(string json) =>
        Assert.Null(ReceivedMessage.TryParse(Parse(json)));

    [Theory]
    [InlineData("""{"Data":{"timer":{"IsPastDue":true,"ScheduleStatus":null}}}""", true)]
    [InlineData("""{"Data":{"timer":"{\"IsPastDue\":true}"}}""", true)]
    [InlineData("""{"Data":{"timer":{"IsPastDue":false}}}""", false)]
    [InlineData("""{"Data":{"timer":"garbage"}}""", false)]
    [InlineData("""{}""", false)]
    public void TimerInvocationParse_AnyShape_ReadsIsPastDue(string json, bool pastDue) =>
        Assert.Equal(pastDue, TimerInvocation.Parse(Parse(json)).IsPastDue);
}
