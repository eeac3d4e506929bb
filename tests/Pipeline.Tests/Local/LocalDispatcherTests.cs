using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.Local;
using Pipeline.Core.Events;
using Pipeline.Host.Local;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Local;

/// <summary>The Local mode stand-in for the Service Bus trigger, against real Azurite queues.</summary>
public sealed class LocalDispatcherTests(AzuriteFixture azurite)
{
    private static void FastRetries(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(new LocalDispatcherOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            MaxPollInterval = TimeSpan.FromMilliseconds(100),
            RetryBackoff = TimeSpan.FromMilliseconds(10),
            MaxRetryBackoff = TimeSpan.FromMilliseconds(20),
        }));

    [Fact]
    public async Task Dispatch_MessageThatAlwaysFails_IsDeliveredTenTimesThenPoisoned()
    {
        var logs = new CapturedLogs();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>(), services =>
        {
            FastRetries(services);
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        var subscriptions = new LocalSubscriptions(host.Topic);
        var notAnEvent = new BusMessage("m-1", "c-1", "application/json", "{\"not\":\"an event\"}"u8.ToArray(), new Dictionary<string, object>());
        // EncryptTranscript takes one message per invocation: a message it cannot read fails every delivery.
        var queue = azurite.QueueService.GetQueueClient(subscriptions.TranscriptsQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await queue.SendMessageAsync(LocalQueueEnvelope.From(notAnEvent, DateTimeOffset.UtcNow).ToJson(), TestContext.Current.CancellationToken);

        var poisoned = await WaitForPoisonAsync(subscriptions.TranscriptsQueue);

        // The poison message holds the whole event: it expires within retention, not never.
        var lifetime = poisoned[0].ExpiresOn - poisoned[0].InsertedOn;
        Assert.True(lifetime <= LocalDispatcher.MaxPoisonLifetime + TimeSpan.FromMinutes(1) && lifetime > TimeSpan.FromDays(6), $"poison lifetime {lifetime}");
        var envelope = LocalQueueEnvelope.TryParse(Assert.Single(poisoned).MessageText);
        Assert.Equal("m-1", envelope?.MessageId);
        PeekedMessage[] left = await queue.PeekMessagesAsync(10, TestContext.Current.CancellationToken);
        Assert.Empty(left);
        var failures = logs.Entries.Where(e => e.EventId == 201 && Equals(e.Fields["MessageId"], "m-1")).Select(e => Convert.ToInt64(e.Fields["DeliveryCount"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), failures.Order());
        var poisonedLog = Assert.Single(logs.Entries, e => e.EventId == 202);
        Assert.Equal(10L, Convert.ToInt64(poisonedLog.Fields["DeliveryCount"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Dispatch_MessageThatIsNoEnvelope_GoesToPoisonWithoutInvoking()
    {
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>(), FastRetries);
        var subscriptions = new LocalSubscriptions(host.Topic);
        var queue = azurite.QueueService.GetQueueClient(subscriptions.AuditQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await queue.SendMessageAsync("garbage", TestContext.Current.CancellationToken);

        var poisoned = await WaitForPoisonAsync(subscriptions.AuditQueue);

        Assert.Equal("garbage", Assert.Single(poisoned).MessageText);
        PeekedMessage[] left = await queue.PeekMessagesAsync(10, TestContext.Current.CancellationToken);
        Assert.Empty(left);
    }

    [Fact]
    public async Task Dispatch_BurstOnAuditQueue_ArrivesAsHostShapedBatches_EveryEventAuditedOnceAndChained()
    {
        var logs = new CapturedLogs();
        // The dispatcher finds the queue empty at start, then looks again only after 6 s: meanwhile the whole burst
        // arrives, and waits in the queue as a burst waits in a subscription.
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>(), services =>
        {
            services.Replace(ServiceDescriptor.Singleton(new LocalDispatcherOptions { PollInterval = TimeSpan.FromSeconds(6), MaxPollInterval = TimeSpan.FromSeconds(6) }));
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        var subscriptions = new LocalSubscriptions(host.Topic);
        var queue = azurite.QueueService.GetQueueClient(subscriptions.AuditQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        var tenant = Secrets.NewTenant();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        var sends = new List<Task>();
        for (var i = 0; i < 120; i++)
        {
            var pipelineEvent = new PipelineEvent(
                EventIds.Derive("twinmind", tenant, $"k-{i}"), "twinmind", tenant, "meeting.started", $"k-{i}", now.AddMilliseconds(i), false,
                System.Text.Json.JsonSerializer.SerializeToElement(new { id = $"k-{i}" }));
            ids.Add(pipelineEvent.EventId);
            var message = new BusMessage(pipelineEvent.EventId, pipelineEvent.EventId, "application/json", EventSerializer.Serialize(pipelineEvent), new Dictionary<string, object>());

            sends.Add(queue.SendMessageAsync(LocalQueueEnvelope.From(message, now).ToJson(), TestContext.Current.CancellationToken));
        }

        await Task.WhenAll(sends);

        var rows = await Eventually.GetAsync(
            async () => await AuditRows.ForTenantAsync(azurite, tenant) is { Count: >= 120 } all ? all : null,
            "the burst's 120 audit rows");

        Assert.Equal(ids.Order(StringComparer.Ordinal), rows.Select(r => r.GetString("EventId")).Order(StringComparer.Ordinal));
        var batches = logs.Entries.Where(e => e.EventId == 181).Select(e => Convert.ToInt32(e.Fields["Messages"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(120, batches.Sum());
        Assert.True(batches.Max() > 32, $"batches of {string.Join(", ", batches)}: more than one queue receive's worth expected in one invocation");
        var report = await new Pipeline.Azure.Audit.AuditChainVerifier(azurite.TableService, Pipeline.Azure.Audit.AuditChain.DeriveKey(TestHost.PseudonymKey))
            .VerifyAsync(tenant, now.AddDays(-1), now.AddDays(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(report.Break);
        Assert.Equal(120, report.Rows);
        await Eventually.GetAsync(
            async () => ((PeekedMessage[])await queue.PeekMessagesAsync(10, TestContext.Current.CancellationToken)).Length == 0 ? "" : null,
            "the audit queue drained");
    }

    private Task<PeekedMessage[]> WaitForPoisonAsync(string queue)
    {
        var poison = azurite.QueueService.GetQueueClient(LocalSubscriptions.PoisonQueue(queue));
        return Eventually.GetAsync(
            async () =>
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
                PeekedMessage[] peeked = await poison.PeekMessagesAsync(10, TestContext.Current.CancellationToken);
                return peeked.Length > 0 ? peeked : null;
            },
            $"a message in {LocalSubscriptions.PoisonQueue(queue)}");
    }
}
