using System.Text;
using System.Text.Json;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Azure.ServiceBus;

namespace Pipeline.Tests.ServiceBus;

public sealed class ServiceBusHeadersTests
{
    [Property]
    public bool JsonString_AnyText_IsOnePrintableAsciiHeaderValue(string? value)
    {
        var header = ServiceBusHeaders.JsonString(value ?? "");
        return header.All(c => c is >= ' ' and < (char)0x7F);
    }

    [Property]
    public FsCheck.Property JsonString_WellFormedText_RoundTripsAsJsonString(string? value)
    {
        var text = value ?? "";
        var wellFormed = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)) == text;
        return Prop.When(wellFormed, () => JsonSerializer.Deserialize<string>(ServiceBusHeaders.JsonString(text)) == text);
    }

    [Theory]
    [InlineData("acme", "\"acme\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("x\r\ny", "\"x\\u000d\\u000ay\"")]
    [InlineData("café", "\"caf\\u00e9\"")]
    public void JsonString_Examples_AreQuotedAndEscaped(string value, string expected) =>
        Assert.Equal(expected, ServiceBusHeaders.JsonString(value));

    [Theory]
    [InlineData(true, "true")]
    [InlineData(false, "false")]
    public void PropertyValue_Boolean_IsUnquotedJson(bool value, string expected) =>
        Assert.Equal(expected, ServiceBusHeaders.PropertyValue("hasTranscript", value));
}
