using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// A new event waits for its claim and its publish only; the mark that it is published is written after the
/// 202, many per entity-group transaction. Real handler, real HTTP, Azurite; the deduplication table's
/// requests are counted, held or failed by a policy in its client's pipeline.
/// </summary>
public sealed class PublishedMarksTests(AzuriteFixture azurite)
{
    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _secret = Secrets.NewSecret();

    [Fact]
    public async Task Post_BurstOfNewEvents_AllMarkedInFarFewerCallsThanEvents()
    {
        const int events = 250;
        var requests = new SeenEventRequests();
        await using var host = await StartAsync(requests, new RecordingPublisher());

        var answers = new ConcurrentBag<(HttpStatusCode Status, bool Duplicate)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, events), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            answers.Add(await SendAsync(host, $"mt-burst-{i:D3}")));

        Assert.Equal(events, answers.Count(a => a == (HttpStatusCode.Accepted, false)));
        await Eventually.GetAsync(async () => await PublishedAsync() == events ? "" : null, "every claim marked published", TimeSpan.FromSeconds(10));
        TestContext.Current.TestOutputHelper?.WriteLine($"{events} new events: {requests.Inserts} claim inserts, {requests.Marks} mark calls ({requests.Transactions} transactions, {requests.Merges} single merges).");
        Assert.Equal(events, requests.Inserts);
        Assert.InRange(requests.Marks, 1, events / 10);
    }

    [Fact]
    public async Task Post_MarkHeld_IsAnsweredWithoutWaitingAndMarkedOnceReleased()
    {
        var requests = new SeenEventRequests { Held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var host = await StartAsync(requests, new RecordingPublisher());

        var answer = await SendAsync(host, "mt-held");
        await requests.MarkArrived.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.Accepted, false), answer);
        Assert.Equal(0, await PublishedAsync());
        requests.Held.SetResult();
        await Eventually.GetAsync(async () => await PublishedAsync() == 1 ? "" : null, "the released mark", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Post_MarkFails_NothingIsLostAndAnotherInstanceRepublishesTheIdenticalMessage()
    {
        var publisher = new RecordingPublisher();
        var logs = new CapturedLogs();
        var failing = new SeenEventRequests { FailMarks = true };
        await using var first = await StartAsync(failing, publisher, services => services.AddSingleton<ILoggerProvider>(logs));

        var accepted = await SendAsync(first, "mt-unmarked");
        var warning = await Eventually.GetAsync(() => Task.FromResult(logs.Entries.FirstOrDefault(e => e.EventId == 106)), "the failed mark's warning", TimeSpan.FromSeconds(5));

        Assert.Equal((HttpStatusCode.Accepted, false), accepted);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(1, warning.Fields["Failed"]);
        Assert.Equal("503", warning.Fields["Failure"]);
        Assert.DoesNotContain(Assert.Single(publisher.Published).MessageId, warning.Message, StringComparison.Ordinal);

        // The vendor's redelivery reaches another instance: the claim is unpublished, so it is published again, identically.
        await using var second = await StartAsync(new SeenEventRequests(), publisher);
        var redelivered = await SendAsync(second, "mt-unmarked");

        Assert.Equal((HttpStatusCode.Accepted, false), redelivered);
        Assert.Equal(2, publisher.Published.Count);
        var (original, again) = (publisher.Published.First(), publisher.Published.Last());
        Assert.Equal(original.MessageId, again.MessageId);
        Assert.Equal(EventSerializer.TryDeserialize(original.Body.Span)!.ReceivedAt.UtcTicks, EventSerializer.TryDeserialize(again.Body.Span)!.ReceivedAt.UtcTicks);
        await Eventually.GetAsync(async () => await PublishedAsync() == 1 ? "" : null, "the second instance's mark", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task StopAsync_MarksQueued_WritesThemBeforeStopping()
    {
        var requests = new SeenEventRequests { Held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var host = await StartAsync(requests, new RecordingPublisher());
        try
        {
            // The first mark is held in flight; the others queue behind it.
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal((HttpStatusCode.Accepted, false), await SendAsync(host, $"mt-stop-{i}"));
            }

            await requests.MarkArrived.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(0, await PublishedAsync());
        }
        finally
        {
            var stopping = host.DisposeAsync().AsTask();
            await Task.Delay(200, TestContext.Current.CancellationToken);
            requests.Held.SetResult();
            await stopping;
        }

        // Stopped: every mark is written already, no waiting.
        Assert.Equal(5, await PublishedAsync());
    }

    [Fact]
    public async Task WriteQueued_OneClaimPurged_MarksTheOthersOneByOneAndDoesNotRecreateIt()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var lifetime = TimeSpan.FromHours(1);
        var store = new SeenEventStore(azurite.TableService, TimeProvider.System);
        using var marks = new PublishedMarks(store);
        foreach (var eventId in new[] { "evt_1", "evt_2", "evt_3" })
        {
            await store.ClaimAsync(_tenant, eventId, DateTimeOffset.UtcNow, lifetime, cancellation);
        }

        var table = azurite.TableService.GetTableClient(SeenEventStore.TableName);
        await table.DeleteEntityAsync(_tenant, "evt_2", cancellationToken: cancellation);
        marks.Add(_tenant, "evt_1", lifetime);
        marks.Add(_tenant, "evt_2", lifetime);
        marks.Add(_tenant, "evt_3", lifetime);
        marks.Add(_tenant, "evt_3", lifetime); // Two redeliveries of an unpublished claim both republished it: one mark.
        var round = await marks.WriteQueuedAsync(cancellation);

        // The transaction failed on the purged claim (404 for all), then one merge each.
        Assert.Equal(new MarkRound(Marked: 2, Missing: 1, Failed: 0, Calls: 4, Failure: null), round);
        Assert.Equal(2, await PublishedAsync());
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(_tenant, "evt_2", cancellationToken: cancellation)).HasValue);
    }

    [Fact]
    public void Add_BeyondCapacity_DropsTheNewestAndCountsThem()
    {
        using var marks = new PublishedMarks(new SeenEventStore(azurite.TableService, TimeProvider.System));

        for (var i = 0; i < PublishedMarks.Capacity + 3; i++)
        {
            marks.Add(_tenant, $"evt_{i}", TimeSpan.FromHours(1));
        }

        Assert.Equal(PublishedMarks.Capacity, marks.Queued);
        Assert.Equal(3, marks.TakeDropped());
        Assert.Equal(0, marks.TakeDropped());
    }

    [Fact]
    public async Task WaitForMarks_MarkQueuedWhileWaiting_Wakes()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var marks = new PublishedMarks(new SeenEventStore(azurite.TableService, TimeProvider.System));

        var waiting = marks.WaitForMarksAsync(cancellation);
        await Task.Delay(50, cancellation);
        Assert.False(waiting.IsCompleted);
        marks.Add(_tenant, "evt_1", TimeSpan.FromHours(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5), cancellation);

        // A mark still queued answers at once, many times over; an emptied queue waits again.
        await marks.WaitForMarksAsync(cancellation).WaitAsync(TimeSpan.FromSeconds(5), cancellation);
        await marks.WriteQueuedAsync(cancellation);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var again = marks.WaitForMarksAsync(stop.Token);
        await Task.Delay(50, cancellation);
        Assert.False(again.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => again);
    }

    /// <summary>A handler for this test's tenant whose deduplication table client goes through <paramref name="requests"/>.</summary>
    private Task<TestHost> StartAsync(SeenEventRequests requests, RecordingPublisher publisher, Action<IServiceCollection>? more = null)
    {
        var options = new TableClientOptions();
        options.AddPolicy(requests, HttpPipelinePosition.PerCall);
        var store = new SeenEventStore(new TableServiceClient(azurite.ConnectionString, options), TimeProvider.System);
        return TestHost.StartAsync(
            azurite,
            new Dictionary<string, string?>
            {
                [$"Pipeline:Tenants:{_tenant}:Vendors:mindtickle:Secrets:0"] = _secret,
                // The burst is one tenant's: above its default bucket (200 at once).
                ["Pipeline:Webhooks:RateLimit:Burst"] = "1000",
            },
            services =>
            {
                services.AddSingleton(store);
                services.AddSingleton<IEventPublisher>(publisher);
                more?.Invoke(services);
            });
    }

    private async Task<(HttpStatusCode Status, bool Duplicate)> SendAsync(TestHost host, string key)
    {
        var body = Encoding.UTF8.GetBytes("""{"event_id":"KEY","event_type":"course.completed","data":{"score":5}}""".Replace("KEY", key, StringComparison.Ordinal));
        using var response = await host.Client.SendAsync(Signing.MindTickle(_tenant, _secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("duplicate").GetBoolean())
            : (response.StatusCode, false);
    }

    /// <summary>This test's claims marked published.</summary>
    private async Task<int> PublishedAsync()
    {
        var rows = azurite.TableService.GetTableClient(SeenEventStore.TableName)
            .QueryAsync<TableEntity>(e => e.PartitionKey == _tenant, cancellationToken: TestContext.Current.CancellationToken);
        return (await rows.ToListAsync(TestContext.Current.CancellationToken)).Count(row => row.GetBoolean("Published") == true);
    }

    /// <summary>
    /// Counts the deduplication table's claim inserts and mark calls (transactions and single merges); can hold
    /// the marks until released, or fail them with 503 as a failing storage would.
    /// </summary>
    private sealed class SeenEventRequests : HttpPipelinePolicy
    {
        private int _inserts;
        private int _transactions;
        private int _merges;

        public TaskCompletionSource? Held { get; init; }

        public bool FailMarks { get; init; }

        public TaskCompletionSource MarkArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Inserts => Volatile.Read(ref _inserts);

        public int Transactions => Volatile.Read(ref _transactions);

        public int Merges => Volatile.Read(ref _merges);

        public int Marks => Transactions + Merges;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store only calls storage asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var path = message.Request.Uri.Path;
            var isMark = path.EndsWith("$batch", StringComparison.Ordinal)
                || (path.Contains($"{SeenEventStore.TableName}(", StringComparison.Ordinal) && message.Request.Method != RequestMethod.Get);
            if (path.EndsWith("/" + SeenEventStore.TableName, StringComparison.Ordinal) && message.Request.Method == RequestMethod.Post)
            {
                Interlocked.Increment(ref _inserts);
            }
            else if (isMark)
            {
                Interlocked.Increment(ref path.EndsWith("$batch", StringComparison.Ordinal) ? ref _transactions : ref _merges);
                MarkArrived.TrySetResult();
                if (FailMarks)
                {
                    throw new RequestFailedException(503, "Storage is unavailable (test).");
                }

                if (Held is { } held)
                {
                    await held.Task.WaitAsync(message.CancellationToken);
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
