using System.Net;
using System.Text.Json;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Audit;

/// <summary>WriteAudit as the Functions host calls it: <c>POST /WriteAudit</c> with a Service Bus invocation payload.</summary>
public sealed class WriteAuditInvocationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PostWriteAudit_Redelivered_AnswersHostContractAndWritesOneRow()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost());
        var pipelineEvent = new PipelineEvent(
            EventIds.Derive("twinmind", tenant, "k-1"), "twinmind", tenant, "meeting.started", "k-1",
            DateTimeOffset.UtcNow, HasTranscript: false, JsonSerializer.SerializeToElement(new { id = "k-1" }));
        var body = Convert.ToBase64String(EventSerializer.Serialize(pipelineEvent));

        for (var delivery = 1; delivery <= 2; delivery++)
        {
            var payload = $$$"""{"Data":{"message":"{{{body}}}"},"Metadata":{"MessageId":"\"{{{pipelineEvent.EventId}}}\"","DeliveryCount":"{{{delivery}}}"}}""";
            using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", payload), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(JsonValueKind.Object, answer.RootElement.GetProperty("Outputs").ValueKind);
            Assert.Contains(pipelineEvent.EventId, answer.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
            Assert.True(answer.RootElement.TryGetProperty("ReturnValue", out _));
        }

        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        var row = Assert.Single(rows);
        Assert.Equal(pipelineEvent.EventId, row.GetString("EventId"));
    }

    [Theory]
    [InlineData("""{"Data":{}}""", HttpStatusCode.InternalServerError)]
    [InlineData("""{"Data":{"message":"[]"},"Metadata":{}}""", HttpStatusCode.InternalServerError)]
    [InlineData("""not json""", HttpStatusCode.BadRequest)]
    public async Task PostWriteAudit_NotAnEvent_FailsTheInvocation(string payload, HttpStatusCode expected)
    {
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost());

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", payload), TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"Logs\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not an event", text.Replace("is not a pipeline event", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
