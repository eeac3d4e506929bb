using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core.Cryptography;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Local;
using Pipeline.Azure.Transcripts;
using Pipeline.Cli.DeadLetters;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Host.Local;
using Pipeline.Tests.Infrastructure;
using Spectre.Console.Testing;
using Pipeline.Cli.Local;

namespace Pipeline.Tests.DeadLetters;

/// <summary>
/// Local mode end to end on real Azurite, through the real handler and dispatcher: transcripts that always fail
/// (the key is unavailable) are poisoned after their tenth delivery, then listed, shown, replayed and purged
/// with the CLI's commands over the CLI's own wiring.
/// </summary>
public sealed class DeadLetterLocalTests(AzuriteFixture azurite) : IDisposable
{
    private const string Participant = "Ada Lovelace";
    private const string ParticipantEmail = "ada.lovelace@example.org";
    private const string Confidential = "the Fabrikam takeover closes on Friday";
    private const string Operator = "cli:deadletter-test";

    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("pipeline-deadletter-keys-").FullName;

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    [Fact]
    public async Task DeadLetter_TranscriptThatAlwaysFails_IsListedShownReplayedOnceAndPurgedWithAuditRows()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        var keyFile = Path.Combine(_keyDirectory, "local-kek.json");
        var cause = new UnavailableKey(LocalKeyFile.OpenOrCreate(keyFile));
        await using var host = await TestHost.StartAsync(
            azurite,
            new Dictionary<string, string?>
            {
                [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = secret,
                ["Pipeline:KeyVault:LocalKeyFile"] = keyFile,
            },
            services =>
            {
                services.Replace(ServiceDescriptor.Singleton(new LocalDispatcherOptions
                {
                    PollInterval = TimeSpan.FromMilliseconds(20),
                    MaxPollInterval = TimeSpan.FromMilliseconds(100),
                    RetryBackoff = TimeSpan.FromMilliseconds(10),
                    MaxRetryBackoff = TimeSpan.FromMilliseconds(20),
                }));
                services.AddSingleton<IKeyEncryptionKeyResolver>(cause);
            });
        await using var cli = CliServices.Build(CliConfiguration.Local(azurite.ConnectionString, ("Pipeline:ServiceBus:TopicName", host.Topic)), CliDeadLetters.Register);
        var operations = cli.Get<DeadLetterOperations>();

        await SendTranscriptAsync(host, tenant, secret, "tm-dl-1", "tr-dl-1", cancellationToken);
        await SendTranscriptAsync(host, tenant, secret, "tm-dl-2", "tr-dl-2", cancellationToken);
        var deadLetters = await Eventually.GetAsync(
            async () => await operations.FindAsync(null, d => d.Tenant == tenant, cancellationToken) is { Count: 2 } found ? found : null,
            "two dead letters",
            TimeSpan.FromSeconds(60));
        var replayId = Assert.Single(deadLetters, d => d.Event?.EventKey == "tm-dl-1").Id;
        var purgeId = Assert.Single(deadLetters, d => d.Event?.EventKey == "tm-dl-2").Id;

        // list: the metadata, after the tenth delivery; never the payload.
        var listed = Console();
        Assert.Equal(0, await DeadLetterViews.ListAsync(operations, TopicSubscriptions.Transcripts, json: true, listed, cancellationToken));
        var entries = JsonNode.Parse(listed.Output)!.AsArray().Where(e => (string?)e!["tenant"] == tenant).ToList();
        Assert.Equal(2, entries.Count);
        var entry = Assert.Single(entries, e => (string?)e!["id"] == replayId)!;
        Assert.Equal(TopicSubscriptions.Transcripts, (string?)entry["subscription"]);
        Assert.Equal(LocalSubscriptions.MaxDeliveryCount, (int)entry["deliveryCount"]!);
        Assert.Equal("MaxDeliveryCountExceeded", (string?)entry["deadLetterReason"]);
        Assert.Equal("Message could not be consumed after 10 delivery attempts.", (string?)entry["deadLetterErrorDescription"]);
        Assert.Equal(("twinmind", replayId), ((string?)entry["vendor"], (string?)entry["eventId"]));
        Assert.NotEqual(default, (DateTimeOffset)entry["enqueuedTime"]!);
        AssertNothingPersonal(listed.Output);
        var table = Console();
        Assert.Equal(0, await DeadLetterViews.ListAsync(operations, null, json: false, table, cancellationToken));
        Assert.Contains(replayId, table.Output, StringComparison.Ordinal);
        AssertNothingPersonal(table.Output);

        // show: redacted by the audit rows' classification; the participant appears only as a pseudonym.
        var shown = Console();
        Assert.Equal(0, await DeadLetterViews.ShowAsync(operations, cli.Get<TenantRedaction>(), replayId, null, shown, cancellationToken));
        Assert.Contains(replayId, shown.Output, StringComparison.Ordinal);
        Assert.Contains(Pseudonyms.Of(TestHost.PseudonymKey, ParticipantEmail), shown.Output, StringComparison.Ordinal);
        AssertNothingPersonal(shown.Output);
        Assert.Equal(DeadLetterCommand.NotFound, await DeadLetterViews.ShowAsync(operations, cli.Get<TenantRedaction>(), "evt_nope", null, Console(), cancellationToken));

        // replay, once the cause is gone: stored exactly once, and the dead letter is gone.
        cause.Unavailable = false;
        var replayed = Console();
        Assert.Equal(0, await DeadLetterRuns.ReplayAsync(operations, DeadLetterSelection.Of([replayId], false, null, null), dryRun: false, Operator, replayed, cancellationToken));
        var reader = host.Services.GetRequiredService<TranscriptReader>();
        var read = await Eventually.GetAsync(
            async () => await reader.ReadAsync(tenant, "tr-dl-1", cancellationToken) is { Found: true } found ? found : null,
            "the replayed transcript");
        Assert.True(read.Succeeded);
        Assert.Contains(Confidential, Encoding.UTF8.GetString(read.Opened!.Plaintext!), StringComparison.Ordinal);
        await WaitUntilDrainedAsync(host.Topic);
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Single(rows, r => r.GetString("Action") == AuditActions.TranscriptStored && r.GetString("EventId") == replayId);
        Assert.Single(rows, r => r.GetString("Action") == AuditActions.EventAccepted && r.GetString("EventId") == replayId);
        Assert.DoesNotContain(await operations.FindAsync(null, d => d.Tenant == tenant, cancellationToken), d => d.Id == replayId);

        // purge the other: gone for good, never stored.
        var purged = Console();
        Assert.Equal(0, await DeadLetterRuns.PurgeAsync(operations, DeadLetterSelection.Of([purgeId], false, null, null), dryRun: false, Operator, purged, cancellationToken));
        Assert.Empty(await operations.FindAsync(null, d => d.Tenant == tenant, cancellationToken));
        Assert.False((await reader.ReadAsync(tenant, "tr-dl-2", cancellationToken)).Found);

        // one audit row each, naming the operator, the counts and the ids; nothing personal in any row.
        rows = await AuditRows.ForTenantAsync(azurite, tenant);
        var replayRow = Assert.Single(rows, r => r.GetString("Action") == AuditActions.DeadLetterReplayed);
        Assert.Equal((Operator, "success", "1", $"transcripts/{replayId}"), (replayRow.GetString("Actor"), replayRow.GetString("Outcome"), replayRow.GetString("Detail_done"), replayRow.GetString("Detail_ids")));
        var purgeRow = Assert.Single(rows, r => r.GetString("Action") == AuditActions.DeadLetterPurged);
        Assert.Equal((Operator, "success", "1", $"transcripts/{purgeId}"), (purgeRow.GetString("Actor"), purgeRow.GetString("Outcome"), purgeRow.GetString("Detail_done"), purgeRow.GetString("Detail_ids")));
        foreach (var row in rows)
        {
            AssertNothingPersonal(string.Join('\n', row.Select(p => $"{p.Key}={p.Value}")));
        }

        AssertNothingPersonal(replayed.Output + purged.Output);
    }

    [Fact]
    public async Task Replay_DryRun_ChangesNothingAndWritesNoAuditRow()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var topic = $"t-{Guid.NewGuid():N}"[..20];
        var subscriptions = new LocalSubscriptions(topic);
        var queues = azurite.QueueService;
        await new QueueEventPublisher(queues, subscriptions, TimeProvider.System).CreateQueuesAsync(cancellationToken);
        var envelope = LocalQueueEnvelope.From(Message(tenant, "evt-dry-1"), DateTimeOffset.UtcNow).DeadLettered(10);
        await queues.GetQueueClient(LocalSubscriptions.PoisonQueue(subscriptions.AuditQueue)).SendMessageAsync(envelope.ToJson(), cancellationToken);
        var operations = new DeadLetterOperations(new LocalDeadLetterStore(queues, subscriptions, TimeProvider.System), new QueueEventPublisher(queues, subscriptions, TimeProvider.System), azurite.AuditWriter(), TimeProvider.System);
        var output = Console();

        var code = await DeadLetterRuns.ReplayAsync(operations, DeadLetterSelection.Of(null, all: true, null, null), dryRun: true, Operator, output, cancellationToken);

        Assert.Equal(0, code);
        Assert.Contains("Would replay audit/evt-dry-1", output.Output, StringComparison.Ordinal);
        Assert.Single(await operations.FindAsync(null, _ => true, cancellationToken));
        PeekedMessage[] republished = await queues.GetQueueClient(subscriptions.AuditQueue).PeekMessagesAsync(10, cancellationToken);
        Assert.Empty(republished);
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
    }

    [Fact]
    public async Task Peek_MoreThanOneQueuePage_ListsEveryOneAndLeavesThemVisible()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var subscriptions = new LocalSubscriptions($"t-{Guid.NewGuid():N}"[..20]);
        var queues = azurite.QueueService;
        await new QueueEventPublisher(queues, subscriptions, TimeProvider.System).CreateQueuesAsync(cancellationToken);
        var poison = queues.GetQueueClient(LocalSubscriptions.PoisonQueue(subscriptions.AuditQueue));
        for (var i = 0; i < 40; i++)
        {
            await poison.SendMessageAsync(LocalQueueEnvelope.From(Message(tenant, $"evt-page-{i}"), DateTimeOffset.UtcNow).DeadLettered(10).ToJson(), cancellationToken);
        }

        var store = new LocalDeadLetterStore(queues, subscriptions, TimeProvider.System);
        var first = new List<DeadLetter>();
        await foreach (var deadLetter in store.PeekAsync(TopicSubscriptions.Audit, cancellationToken))
        {
            first.Add(deadLetter);
        }

        Assert.Equal(40, first.Select(d => d.Id).Distinct().Count());
        PeekedMessage[] visible = await poison.PeekMessagesAsync(32, cancellationToken);
        Assert.Equal(32, visible.Length);
    }

    private static Pipeline.Core.Events.BusMessage Message(string tenant, string id) => new(
        id, "c-" + id, "application/json", "{\"not\":\"an event\"}"u8.ToArray(), new Dictionary<string, object> { ["tenant"] = tenant, ["vendor"] = "twinmind" });

    private static TestConsole Console()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        return console;
    }

    private static void AssertNothingPersonal(string text)
    {
        Assert.DoesNotContain(Participant, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ParticipantEmail, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Fabrikam", text, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task SendTranscriptAsync(TestHost host, string tenant, string secret, string eventId, string transcriptId, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = eventId,
            ["type"] = "transcript.completed",
            ["created_at"] = "2026-11-22T10:00:00Z",
            ["data"] = new JsonObject
            {
                ["transcript_id"] = transcriptId,
                ["meeting_id"] = "m-" + transcriptId,
                ["transcript"] = $"{Participant}: {Confidential}.",
                ["language"] = "en",
                ["consent"] = true,
                ["participants"] = new JsonArray(new JsonObject { ["name"] = Participant, ["email"] = ParticipantEmail }),
            },
        }.ToJsonString());
        using var request = Signing.TwinMind(tenant, secret, body);
        using var response = await host.Client.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>Both subscription queues empty, invisible (in-flight) messages included.</summary>
    private Task<object> WaitUntilDrainedAsync(string topic)
    {
        var subscriptions = new LocalSubscriptions(topic);
        return Eventually.GetAsync<object>(
            async () =>
            {
                foreach (var queue in new[] { subscriptions.AuditQueue, subscriptions.TranscriptsQueue })
                {
                    var properties = await azurite.QueueService.GetQueueClient(queue).GetPropertiesAsync(TestContext.Current.CancellationToken);
                    if (properties.Value.ApproximateMessagesCount > 0)
                    {
                        return null;
                    }
                }

                return new object();
            },
            "both subscription queues drained");
    }

    /// <summary>The key, unavailable (as Key Vault down) until the test says otherwise.</summary>
    private sealed class UnavailableKey(IKeyEncryptionKeyResolver inner) : IKeyEncryptionKeyResolver
    {
        public volatile bool Unavailable = true;

        public IKeyEncryptionKey Resolve(string keyId, CancellationToken cancellationToken = default) =>
            Unavailable ? throw new RequestFailedException(503, "The key is unavailable.") : inner.Resolve(keyId, cancellationToken);

        public Task<IKeyEncryptionKey> ResolveAsync(string keyId, CancellationToken cancellationToken = default) =>
            Unavailable ? throw new RequestFailedException(503, "The key is unavailable.") : inner.ResolveAsync(keyId, cancellationToken);
    }
}
