using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Audit;

/// <summary>
/// WriteAudit with <c>"cardinality": "many"</c> (issue 15 item 2): <c>POST /WriteAudit</c> through the real handler
/// with the batch payload the Functions host sends a custom handler — <c>Data.message</c> a string holding a JSON
/// array of base64 bodies, metadata as <c>…Array</c> strings — written here by hand, not by Local mode's builder.
/// </summary>
public sealed class WriteAuditBatchTests(AzuriteFixture azurite)
{
    // Service Bus keeps a message's enqueue time on every delivery; so does each test's "broker".
    private readonly DateTime _enqueued = DateTime.UtcNow.AddSeconds(-1);

    [Fact]
    public async Task PostWriteAudit_BatchOf150Events_WritesOneRowEachInSeveralTransactions_ChainIntact()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost());
        var events = Events(tenant, 150);

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", Batch(events.Select(Body), deliveryCount: 1)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Equal(events.Select(e => e.EventId).Order(StringComparer.Ordinal), rows.Select(r => r.GetString("EventId")).Order(StringComparer.Ordinal));
        await AssertChainIntactAsync(tenant, 150);
    }

    [Fact]
    public async Task PostWriteAudit_BatchRedelivered_StoresNothingTwice()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost());
        var events = Events(tenant, 120);

        for (var delivery = 1; delivery <= 2; delivery++)
        {
            using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", Batch(events.Select(Body), delivery)), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(120, (await AuditRows.ForTenantAsync(azurite, tenant)).Count);
        await AssertChainIntactAsync(tenant, 120);
    }

    [Fact]
    public async Task PostWriteAudit_OneBadMessageInBatch_AuditsTheOthersAndRecordsTheRejectionWithoutItsBody()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost());
        var events = Events(tenant, 5);
        var bad = Encoding.UTF8.GetBytes("{\"marker\":\"" + Secrets.NewSecret() + "\"}");
        var badId = $"bad-{Guid.NewGuid():N}";
        var bodies = events.Select(Body).ToList();
        bodies.Insert(2, bad);
        var ids = events.Select(e => e.EventId).ToList();
        ids.Insert(2, badId);

        for (var delivery = 1; delivery <= 2; delivery++)
        {
            using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", Batch(bodies, delivery, ids)), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(5, (await AuditRows.ForTenantAsync(azurite, tenant)).Count);
        var rejection = Assert.Single(await AuditRows.ForTenantAsync(azurite, RejectionTally.UnknownTenant), r => r.GetString("ResourceId") == badId);
        Assert.Equal(AuditActions.MessageRejected, rejection.GetString("Action"));
        Assert.Equal("not-a-pipeline-event", rejection.GetString("Detail_reason"));
        Assert.Equal(bad.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), rejection.GetString("Detail_bytes"));
        Assert.DoesNotContain(rejection, p => p.Value is string text && text.Contains("marker", StringComparison.Ordinal));
        await AssertChainIntactAsync(tenant, 5);
    }

    [Fact]
    public async Task PostWriteAudit_StorageFailsMidBatch_FailsTheInvocation_AndTheRetryCompletesItOnce()
    {
        var tenant = Secrets.NewTenant();
        var failSecond = new FailNthTransaction(2);
        var options = new TableClientOptions();
        options.AddPolicy(failSecond, HttpPipelinePosition.PerCall);
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost(), services =>
            services.AddSingleton(AuditTableWriter.ForPseudonymKey(new TableServiceClient(azurite.ConnectionString, options), TestHost.PseudonymKey)));
        var events = Events(tenant, 250);
        var payload = Batch(events.Select(Body), deliveryCount: 1);

        using (var failed = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", payload), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        var written = (await AuditRows.ForTenantAsync(azurite, tenant)).Count;
        Assert.InRange(written, 1, 249); // The first transaction went in, the second did not.

        using (var retried = await host.Client.SendAsync(FunctionsHostRequests.Invocation("WriteAudit", Batch(events.Select(Body), deliveryCount: 2)), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        Assert.Equal(250, (await AuditRows.ForTenantAsync(azurite, tenant)).Count);
        await AssertChainIntactAsync(tenant, 250);
    }

    private static List<PipelineEvent> Events(string tenant, int count)
    {
        var at = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, count).Select(i => new PipelineEvent(
            EventIds.Derive("twinmind", tenant, $"k-{i}"), "twinmind", tenant, "meeting.started", $"k-{i}",
            at.AddMilliseconds(i), HasTranscript: false, JsonSerializer.SerializeToElement(new { id = $"k-{i}" })))];
    }

    private static byte[] Body(PipelineEvent pipelineEvent) => EventSerializer.Serialize(pipelineEvent);

    /// <summary>
    /// The host's batch invocation: the trigger value <c>byte[][]</c> and each <c>…Array</c> binding value go
    /// through <c>JsonConvert.SerializeObject</c>, so each is a string holding a JSON array.
    /// </summary>
    private string Batch(IEnumerable<byte[]> bodies, int deliveryCount, IReadOnlyList<string>? messageIds = null)
    {
        var list = bodies.ToList();
        var ids = messageIds ?? [.. list.Select((_, i) => $"m-{i}")];
        var payload = new
        {
            Data = new { message = JsonSerializer.Serialize(list.Select(Convert.ToBase64String)) },
            Metadata = new
            {
                MessageIdArray = JsonSerializer.Serialize(ids),
                DeliveryCountArray = JsonSerializer.Serialize(list.Select(_ => deliveryCount)),
                EnqueuedTimeUtcArray = JsonSerializer.Serialize(list.Select((_, i) => _enqueued.AddMilliseconds(i))),
                ApplicationPropertiesArray = JsonSerializer.Serialize(list.Select(_ => new Dictionary<string, string>())),
                sys = new { MethodName = "WriteAudit" },
            },
        };
        return JsonSerializer.Serialize(payload);
    }

    private async Task AssertChainIntactAsync(string tenant, long rows)
    {
        var now = DateTimeOffset.UtcNow;
        var report = await new AuditChainVerifier(azurite.TableService, AuditChain.DeriveKey(TestHost.PseudonymKey))
            .VerifyAsync(tenant, now.AddDays(-1), now.AddDays(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(report.Break);
        Assert.Equal(rows, report.Rows);
    }

    /// <summary>Storage down for one moment: the Nth entity-group transaction ($batch) fails with 503, once.</summary>
    private sealed class FailNthTransaction(int n) : HttpPipelinePolicy
    {
        private int _transactions;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The writer only calls storage asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Increment(ref _transactions) == n)
            {
                throw new RequestFailedException(503, "Storage unavailable (test).");
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
