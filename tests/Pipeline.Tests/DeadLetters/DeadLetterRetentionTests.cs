using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Local;
using Pipeline.Azure.Retention;
using Pipeline.Azure.Subjects;
using Pipeline.Azure.Transcripts;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Transcripts;
using Pipeline.Azure.KeyVault;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.DeadLetters;

/// <summary>Dead letters are within retention and erasure (SPEC §5), on real Azurite poison queues.</summary>
public sealed class DeadLetterRetentionTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 2, 0, 0, TimeSpan.Zero);

    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("pipeline-deadletter-erase-").FullName;
    private readonly LocalSubscriptions _subscriptions = new($"t-{Guid.NewGuid():N}"[..20]);
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    [Fact]
    public async Task Retention_DeadLetterOlderThanDeadLetterDays_IsPurgedCountedAndAudited()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var options = new PipelineOptions();
        options.Tenants[tenant] = new TenantOptions();
        var operations = await OperationsAsync();
        await PoisonAsync(Event(tenant, "evt_old", "old@example.org", Now.AddDays(-15)));
        await PoisonAsync(Event(tenant, "evt_new", "new@example.org", Now.AddDays(-13)));
        var runner = new RetentionRunner(
            options, new RetentionOptions { DeadLetterDays = 14 }, new AuditRetentionPurger(azurite.TableService), new TranscriptRetentionPurger(new TranscriptTableStore(azurite.TableService)), azurite.AuditWriter(), _time, operations);

        var dryRun = await runner.RunAsync(new RetentionRequest(Now, DryRun: true, tenant, TimeSpan.FromMinutes(1)), cancellationToken: cancellationToken);
        var report = await runner.RunAsync(new RetentionRequest(Now, DryRun: false, null, TimeSpan.FromMinutes(1)), cancellationToken: cancellationToken);

        Assert.Equal(1, dryRun.Results.Single(r => r.Tenant == tenant && r.Kind == RetentionKinds.DeadLetters).Rows);
        Assert.Equal(new RetentionResult(tenant, RetentionKinds.DeadLetters, 1, true), report.Results.Single(r => r.Tenant == tenant && r.Kind == RetentionKinds.DeadLetters));
        Assert.Equal(["evt_new"], (await operations.FindAsync(null, _ => true, cancellationToken)).Select(d => d.Id));
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Equal("1", Assert.Single(rows, r => r.GetString("Action") == AuditActions.RetentionPurged).GetString("Detail_deadLettersDeleted"));
        var purge = Assert.Single(rows, r => r.GetString("Action") == AuditActions.DeadLetterPurged);
        Assert.Equal(("system", "audit/evt_old", AuditActions.RetentionPurged), (purge.GetString("Actor"), purge.GetString("Detail_ids"), purge.GetString("Detail_cause")));
    }

    [Fact]
    public async Task Erase_SubjectNamedInDeadLetter_RemovesThatDeadLetterOnly()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var options = new PipelineOptions();
        options.Tenants[tenant] = new TenantOptions();
        var operations = await OperationsAsync();
        await PoisonAsync(Event(tenant, "evt_grace", "grace@example.org", Now.AddDays(-1)));
        await PoisonAsync(Event(tenant, "evt_alan", "alan@example.org", Now.AddDays(-1)));
        await PoisonAsync(Event(Secrets.NewTenant(), "evt_elsewhere", "grace@example.org", Now.AddDays(-1)));
        var store = new TranscriptTableStore(azurite.TableService);
        var protector = new TranscriptProtector(LocalKeyFile.OpenOrCreate(Path.Combine(_keyDirectory, "kek.json")), LocalKeyFile.KeyName, TranscriptCompression.Brotli);
        var records = new SubjectRecords(
            store, new TranscriptReader(store, protector, _time), new AuditTableReader(azurite.TableService), azurite.AuditWriter(), options, new AuditOptions { PseudonymKey = TestHost.PseudonymKey }, _time, operations);

        var erased = await records.EraseAsync(tenant, "Grace@Example.org", "oid-eraser", cancellationToken);

        Assert.Equal(1, erased.DeadLettersRemoved);
        Assert.Equal(["evt_alan", "evt_elsewhere"], (await operations.FindAsync(null, _ => true, cancellationToken)).Select(d => d.Id).Order(StringComparer.Ordinal));
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Equal("1", Assert.Single(rows, r => r.GetString("Action") == AuditActions.SubjectErased).GetString("Detail_deadLettersRemoved"));
        var purge = Assert.Single(rows, r => r.GetString("Action") == AuditActions.DeadLetterPurged);
        Assert.Equal(("oid-eraser", "audit/evt_grace"), (purge.GetString("Actor"), purge.GetString("Detail_ids")));
        Assert.DoesNotContain(rows, r => r.Select(p => p.Value).OfType<string>().Any(v => v.Contains("grace@", StringComparison.OrdinalIgnoreCase)));
    }

    private async Task<DeadLetterOperations> OperationsAsync()
    {
        var queues = azurite.QueueService;
        var publisher = new QueueEventPublisher(queues, _subscriptions, _time);
        await publisher.CreateQueuesAsync(TestContext.Current.CancellationToken);
        return new DeadLetterOperations(new LocalDeadLetterStore(queues, _subscriptions, _time), publisher, azurite.AuditWriter(), _time);
    }

    private async Task PoisonAsync(PipelineEvent pipelineEvent)
    {
        var envelope = LocalQueueEnvelope.From(BusMessage.ForEvent(pipelineEvent, "corr"), pipelineEvent.ReceivedAt).DeadLettered(10);
        await azurite.QueueService.GetQueueClient(LocalSubscriptions.PoisonQueue(_subscriptions.AuditQueue)).SendMessageAsync(envelope.ToJson(), TestContext.Current.CancellationToken);
    }

    private static PipelineEvent Event(string tenant, string eventId, string email, DateTimeOffset receivedAt) => new(
        eventId, "mindtickle", tenant, "course.completed", "mt-" + eventId, receivedAt, false,
        JsonDocument.Parse($$$"""{"event_id":"mt-{{{eventId}}}","event_type":"course.completed","occurred_at":"2026-11-20T10:00:00Z","data":{"user_email":"{{{email}}}","course_id":"c-1","score":91}}""").RootElement);
}
