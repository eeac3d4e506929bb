using System.Diagnostics;
using Pipeline.Core.Telemetry;

namespace Pipeline.Tests.Telemetry;

public sealed class TraceContextTests
{
    [Fact]
    public void Inject_W3CSpanWithTraceState_WritesTraceParentAndDiagnosticIdOnly()
    {
        using var span = new Activity("send").SetIdFormat(ActivityIdFormat.W3C).Start();
        span.TraceStateString = "vendor=free-text";
        var properties = new Dictionary<string, object> { ["tenant"] = "acme" };

        TraceContext.Inject(span, properties);

        Assert.Equal(span.Id, properties[TraceContext.TraceParent]);
        Assert.Equal(span.Id, properties[TraceContext.DiagnosticId]);
        Assert.Equal(["Diagnostic-Id", "tenant", "traceparent"], properties.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryExtract_TraceParentOrDiagnosticId_GivesTheRemoteParent()
    {
        const string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        Assert.True(TraceContext.TryExtract(new Dictionary<string, string> { ["traceparent"] = parent }, out var fromW3C));
        Assert.True(TraceContext.TryExtract(new Dictionary<string, string> { ["Diagnostic-Id"] = parent }, out var fromSdk));

        Assert.Equal(fromW3C, fromSdk);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", fromW3C.TraceId.ToHexString());
        Assert.Equal("00f067aa0ba902b7", fromW3C.SpanId.ToHexString());
        Assert.True(fromW3C.IsRemote);
    }

    [Theory]
    [InlineData("")]
    [InlineData("|legacy.hierarchical.id.")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("not a trace parent")]
    public void TryExtract_MissingOrMalformed_IsFalse(string value)
    {
        Assert.False(TraceContext.TryExtract(new Dictionary<string, string> { ["traceparent"] = value }, out _));
        Assert.False(TraceContext.TryExtract(new Dictionary<string, string>(), out _));
    }
}
