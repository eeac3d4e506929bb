using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Local;
using Pipeline.Azure.Transcripts;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Host.Configuration;
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
    private static readonly byte[] CourseCompleted = Encoding.UTF8.GetBytes("""{"event_id":"mt-claim","event_type":"course.completed","data":{"score":7}}""");

    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _secret = Secrets.NewSecret();

    [Fact]
    public async Task Post_ClaimedByAnInstanceThatDiedBeforePublishing_RepublishesWithTheFirstReceivedAt()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var publisher = new RecordingPublisher();
        await using var host = await StartAsync(publisher);
        var eventId = EventIds.Derive("mindtickle", _tenant, "mt-claim");

        // Another instance claimed the event three minutes ago and was killed before it published.
        var firstReceivedAt = new DateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-3).UtcTicks / 10 * 10 + 7, TimeSpan.Zero);
        var dead = await new SeenEventStore(azurite.TableService, TimeProvider.System)
            .ClaimAsync(_tenant, eventId, firstReceivedAt, TimeSpan.FromHours(1), cancellation);
        Assert.Equal(ClaimStatus.New, dead.Status);

        using var retried = await SendAsync(host, CourseCompleted);
        using var again = await SendAsync(host, CourseCompleted);

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.False((await retried.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("duplicate").GetBoolean());
        var published = Assert.Single(publisher.Published);
        Assert.Equal(eventId, published.MessageId);
        Assert.Equal(firstReceivedAt.UtcTicks, EventSerializer.TryDeserialize(published.Body.Span)!.ReceivedAt.UtcTicks);

        // Once published, the claim answers redeliveries without publishing again.
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("duplicate").GetBoolean());
        Assert.Single(publisher.Published);
    }

    [Fact]
    public async Task Post_StorageDown_Is503WithRetryAfterAndNothingPublished()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var settings = new AzuriteSettings(RepositoryRoot.Find(), null, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort());
        var storage = await AzuriteProcess.StartAsync(settings, cancellationToken: cancellation);
        var publisher = new RecordingPublisher();
        await using var host = await StartAsync(publisher, new() { ["Pipeline:Storage:ConnectionString"] = storage.ConnectionString });
        using var before = await SendAsync(host, Encoding.UTF8.GetBytes("""{"event_id":"mt-before","event_type":"course.completed","data":{"score":1}}"""));
        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);

        await storage.DisposeAsync();
        using var refused = await SendAsync(host, CourseCompleted);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(cancellation);
        Assert.Equal("urn:pipeline:problem:webhook:storage-unavailable", problem.GetProperty("type").GetString());
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Single(publisher.Published);

        // Storage back: the vendor's retry is accepted, once.
        await using var restarted = await AzuriteProcess.StartAsync(settings, cancellationToken: cancellation);
        using var accepted = await SendAsync(host, CourseCompleted);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(2, publisher.Published.Count);
    }

    [Fact]
    public async Task Post_PublishedButNotMarked_RedeliveredMessageWritesNoSecondAuditRowOrTranscript()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var body = Encoding.UTF8.GetBytes("""{"id":"tm-redeliver","type":"transcript.completed","data":{"transcript_id":"tr-redeliver","transcript":"Alice: hello.","consent":true,"participants":[{"name":"Alice","email":"alice@example.com"}]}}""");
        await using var host = await StartAsync(publisher: null);
        using var first = await host.Client.SendAsync(Signing.TwinMind(_tenant, _secret, body), cancellation);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var eventId = (await first.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("eventId").GetString()!;
        await Eventually.GetAsync(async () => Stored(await AuditRows.ForTenantAsync(azurite, _tenant), eventId) ? "" : null, "the first delivery's rows");

        // The instance was killed after publishing, before it marked the claim: the vendor's retry reaches
        // a restarted instance, which publishes the same message again, and both subscriptions deliver it.
        // (The mark is written after the 202: wait for it, so it cannot land after the reset below.)
        var seen = azurite.TableService.GetTableClient(SeenEventStore.TableName);
        await Eventually.GetAsync(
            async () => (await seen.GetEntityAsync<TableEntity>(_tenant, eventId, cancellationToken: cancellation)).Value.GetBoolean("Published") == true ? "" : null,
            "the first delivery's mark",
            TimeSpan.FromSeconds(5));
        await seen
            .UpdateEntityAsync(new TableEntity(_tenant, eventId) { ["Published"] = false }, global::Azure.ETag.All, TableUpdateMode.Merge, cancellation);
        await using var restarted = await StartAsync(publisher: null);
        using var retried = await restarted.Client.SendAsync(Signing.TwinMind(_tenant, _secret, body), cancellation);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await DrainedAsync(new LocalSubscriptions(restarted.Topic));

        var rows = await AuditRows.ForTenantAsync(azurite, _tenant);
        Assert.Single(rows, r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.EventAccepted);
        Assert.Single(rows, r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.TranscriptStored);
        var partition = TranscriptTableStore.PartitionFor(_tenant, "tr-redeliver");
        var headers = azurite.TableService.GetTableClient(TranscriptTableStore.TableName)
            .QueryAsync<TableEntity>(e => e.PartitionKey == partition && e.RowKey == TranscriptTableStore.HeaderRowKey, cancellationToken: cancellation);
        Assert.Single(await headers.ToListAsync(cancellation));
    }

    /// <summary>A handler for this test's tenant (MindTickle and TwinMind); a recording publisher, or the real Local queues when null.</summary>
    private Task<TestHost> StartAsync(RecordingPublisher? publisher, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{_tenant}:Vendors:mindtickle:Secrets:0"] = _secret,
            [$"Pipeline:Tenants:{_tenant}:Vendors:twinmind:Secrets:0"] = _secret,
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return TestHost.StartAsync(azurite, settings, publisher is null ? null : services => services.AddSingleton<IEventPublisher>(publisher));
    }

    private Task<HttpResponseMessage> SendAsync(TestHost host, byte[] body) =>
        host.Client.SendAsync(Signing.MindTickle(_tenant, _secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

    private static bool Stored(List<TableEntity> rows, string eventId) =>
        rows.Any(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.EventAccepted)
        && rows.Any(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.TranscriptStored);

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
