using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Pipeline.Azure.Local;
using Pipeline.Azure.Transcripts;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Local;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Accepted means claimed: the ingress claims an event before publishing it, answers 503 when it
/// cannot, and a claim that was never confirmed published is published again as the same message.
/// Real handler, real HTTP, Azurite.
/// </summary>
public sealed class IngressClaimTests(AzuriteFixture azurite)
{
    private const string CourseCompleted = """{"event_id":"mt-claim","event_type":"course.completed","data":{"score":7}}""";

    [Fact]
    public async Task Post_ClaimedByAnInstanceThatDiedBeforePublishing_RepublishesWithTheFirstReceivedAt()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var host = await IngressHost.StartAsync(azurite);
        var eventId = EventIds.Derive("mindtickle", host.Tenant, "mt-claim");

        // Another instance claimed the event three minutes ago and was killed before it published.
        var firstReceivedAt = new DateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-3).UtcTicks / 10 * 10 + 7, TimeSpan.Zero);
        var dead = await new SeenEventStore(azurite.TableService, TimeProvider.System)
            .ClaimAsync(host.Tenant, eventId, firstReceivedAt, TimeSpan.FromHours(1), cancellation);
        Assert.Equal(ClaimStatus.New, dead.Status);

        using var retried = await host.SendSignedAsync(WebhookVendor.MindTickle, CourseCompleted);
        using var again = await host.SendSignedAsync(WebhookVendor.MindTickle, CourseCompleted);

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.False((await retried.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("duplicate").GetBoolean());
        var published = Assert.Single(host.Publisher!.Published);
        Assert.Equal(eventId, published.MessageId);
        Assert.Equal(firstReceivedAt.UtcTicks, EventSerializer.TryDeserialize(published.Body.Span)!.ReceivedAt.UtcTicks);

        // Once published, the claim answers redeliveries without publishing again.
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("duplicate").GetBoolean());
        Assert.Single(host.Publisher.Published);
    }

    [Fact]
    public async Task Post_StorageDown_Is503WithRetryAfterAndNothingPublished()
    {
        var settings = new AzuriteSettings(RepositoryRoot.Find(), null, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort());
        var storage = await AzuriteProcess.StartAsync(settings, cancellationToken: TestContext.Current.CancellationToken);
        await using var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Storage:ConnectionString"] = storage.ConnectionString });
        using var before = await host.SendSignedAsync(WebhookVendor.MindTickle, """{"event_id":"mt-before","event_type":"course.completed","data":{"score":1}}""");
        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);

        await storage.DisposeAsync();
        using var refused = await host.SendSignedAsync(WebhookVendor.MindTickle, CourseCompleted);

        await WebhookIngressHostTests.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "storage-unavailable");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Single(host.Publisher!.Published);

        // Storage back: the vendor's retry is accepted, once.
        await using var restarted = await AzuriteProcess.StartAsync(settings, cancellationToken: TestContext.Current.CancellationToken);
        using var accepted = await host.SendSignedAsync(WebhookVendor.MindTickle, CourseCompleted);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(2, host.Publisher.Published.Count);
    }

    [Fact]
    public async Task Post_PublishedButNotMarked_RedeliveredMessageWritesNoSecondAuditRowOrTranscript()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var host = await IngressHost.StartAsync(azurite, realPublisher: true);
        var body = """{"id":"tm-redeliver","type":"transcript.completed","data":{"transcript_id":"tr-redeliver","transcript":"Alice: hello.","consent":true,"participants":[{"name":"Alice","email":"alice@example.com"}]}}""";
        using var first = await host.SendSignedAsync(WebhookVendor.TwinMind, body);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var eventId = (await first.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("eventId").GetString()!;
        await Eventually.GetAsync(async () => Stored(await AuditRows.ForTenantAsync(azurite, host.Tenant), eventId) ? "" : null, "the first delivery's rows");

        // The instance was killed after publishing, before it marked the claim: the vendor's retry publishes
        // the same message again, and both subscriptions deliver it a second time.
        var seen = azurite.TableService.GetTableClient(SeenEventStore.TableName);
        await seen.UpdateEntityAsync(new TableEntity(host.Tenant, eventId) { ["Published"] = false }, global::Azure.ETag.All, TableUpdateMode.Merge, cancellation);
        await using var restarted = await TestHost.StartAsync(azurite, TwinMindSettings(host), services: null);
        using var retried = await restarted.Client.SendAsync(VendorSignatures.Request(WebhookVendor.TwinMind, host.Tenant, host.Secrets[WebhookVendor.TwinMind], System.Text.Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow), cancellation);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await DrainedAsync(new LocalSubscriptions(restarted.Topic));

        var rows = await AuditRows.ForTenantAsync(azurite, host.Tenant);
        Assert.Single(rows, r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.EventAccepted);
        Assert.Single(rows, r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.TranscriptStored);
        var transcripts = azurite.TableService.GetTableClient(TranscriptTableStore.TableName);
        var partition = TranscriptTableStore.PartitionFor(host.Tenant, "tr-redeliver");
        Assert.Single(await transcripts.QueryAsync<TableEntity>(e => e.PartitionKey == partition && e.RowKey == TranscriptTableStore.HeaderRowKey, cancellationToken: cancellation).ToListAsync(cancellation));
    }

    private static bool Stored(List<TableEntity> rows, string eventId) =>
        rows.Any(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.EventAccepted)
        && rows.Any(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.TranscriptStored);

    /// <summary>A second handler for the same tenant (its own topic and queues), as a restarted instance.</summary>
    private static Dictionary<string, string?> TwinMindSettings(IngressHost host) => new()
    {
        [$"Pipeline:Tenants:{host.Tenant}:Vendors:twinmind:Secrets:0"] = host.Secrets[WebhookVendor.TwinMind],
    };

    /// <summary>Waits until both subscription queues are empty: every message delivered and completed.</summary>
    private async Task DrainedAsync(LocalSubscriptions subscriptions)
    {
        var queues = new[] { subscriptions.AuditQueue, subscriptions.TranscriptsQueue }.Select(azurite.QueueService.GetQueueClient).ToList();
        await Eventually.GetAsync(
            async () =>
            {
                var waiting = 0;
                foreach (var queue in queues)
                {
                    waiting += (await queue.GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount;
                }

                return waiting == 0 ? "" : null;
            },
            "the redelivered messages to be completed");
    }
}
