using System.Net;
using Azure.Data.Tables;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

/// <summary>A redelivered webhook is one event: on Azurite, across handler instances and restarts.</summary>
public sealed class DeduplicationTests(AzuriteFixture azurite)
{
    private static async Task<(HttpStatusCode Status, string? EventId, bool Duplicate)> ReadAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return (response.StatusCode, null, false);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (response.StatusCode, body.GetProperty("eventId").GetString(), body.GetProperty("duplicate").GetBoolean());
    }

    [Theory]
    [InlineData("mindtickle", """{"event_id":"mt-dup","event_type":"course.completed","data":{"score":50}}""")]
    [InlineData("twinmind", """{"id":"tm-dup","type":"transcript.completed","data":{"transcript_id":"tr-9","transcript":"Hi."}}""")]
    [InlineData("standard", """{"type":"thing.happened"}""")]
    [InlineData("mindtickle", """{"event_type":"course.completed","data":{"score":1}}""")]
    public async Task Post_SameWebhookTwice_SecondIsDuplicateWithSameIdAndNotPublished(string vendor, string body)
    {
        await using var host = await IngressHost.StartAsync(azurite);

        // A vendor retry signs again (new timestamp) but carries the same event id.
        var first = await ReadAsync(await host.SendSignedAsync(vendor, body, id: "msg_same"));
        var second = await ReadAsync(await host.SendSignedAsync(vendor, body, id: "msg_same", at: DateTimeOffset.UtcNow.AddSeconds(5)));

        Assert.Equal((HttpStatusCode.Accepted, false), (first.Status, first.Duplicate));
        Assert.Equal((HttpStatusCode.Accepted, true), (second.Status, second.Duplicate));
        Assert.Equal(first.EventId, second.EventId);
        Assert.Single(host.Publisher!.Published);
    }

    [Fact]
    public async Task Post_RedeliveredAfterRestart_IsStillDuplicate()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        var settings = new Dictionary<string, string?> { [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = secret };
        var body = Encoding.UTF8.GetBytes("""{"id":"tm-restart","type":"meeting.ended"}""");

        (HttpStatusCode, string?, bool) first;
        var publisher = new RecordingPublisher();
        await using (var host = await TestHost.StartAsync(azurite, settings, s => s.AddSingleton<IEventPublisher>(publisher)))
        {
            first = await ReadAsync(await host.Client.SendAsync(Request("twinmind", tenant, secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken));
        }

        await using var restarted = await TestHost.StartAsync(azurite, settings, s => s.AddSingleton<IEventPublisher>(publisher));
        var second = await ReadAsync(await restarted.Client.SendAsync(Request("twinmind", tenant, secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken));

        Assert.False(first.Item3);
        Assert.True(second.Item3);
        Assert.Equal(first.Item2, second.Item2);
        Assert.Single(publisher.Published);
    }

    [Fact]
    public async Task Post_SameEventKeyForTwoTenants_IsTwoEvents()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var body = """{"event_id":"shared-key","event_type":"course.completed","data":{"score":3}}""";

        var mine = await ReadAsync(await host.SendSignedAsync("mindtickle", body));
        var theirs = await ReadAsync(await host.SendAsync(Request("mindtickle", host.OtherTenant, host.OtherSecret, Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow)));

        Assert.False(mine.Duplicate);
        Assert.False(theirs.Duplicate);
        Assert.NotEqual(mine.EventId, theirs.EventId);
        Assert.Equal(2, host.Publisher!.Published.Count);
    }

    [Fact]
    public async Task Claim_AfterLifetime_IsNewAgainAndPurgeRemovesOnlyExpiredClaims()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new SeenEventStore(azurite.TableService, time);
        var tenant = Secrets.NewTenant();
        var cancellation = TestContext.Current.CancellationToken;
        var lifetime = TimeSpan.FromHours(1);

        Assert.Equal(ClaimStatus.New, (await store.ClaimAsync(tenant, "evt_a", time.GetUtcNow(), lifetime, cancellation)).Status);
        store.RememberPublished(tenant, "evt_a", lifetime);
        await store.MarkPublishedAsync(tenant, ["evt_a"], cancellation);
        Assert.Equal(ClaimStatus.New, (await store.ClaimAsync(tenant, "evt_old", time.GetUtcNow(), lifetime, cancellation)).Status);
        Assert.Equal(ClaimStatus.Published, (await store.ClaimAsync(tenant, "evt_a", time.GetUtcNow(), lifetime, cancellation)).Status);

        time.Advance(TimeSpan.FromHours(2));

        // Another instance (no memory of its own) finds the claim expired and takes it over with the new time.
        var later = time.GetUtcNow();
        var again = await new SeenEventStore(azurite.TableService, time).ClaimAsync(tenant, "evt_a", later, lifetime, cancellation);
        Assert.Equal((ClaimStatus.New, later), (again.Status, again.ReceivedAt));
        Assert.True(await store.PurgeExpiredAsync(time.GetUtcNow(), cancellation) >= 1);
        var table = azurite.TableService.GetTableClient(SeenEventStore.TableName);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(tenant, "evt_old", cancellationToken: cancellation)).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>(tenant, "evt_a", cancellationToken: cancellation)).HasValue);
    }

    [Fact]
    public async Task Claim_ConcurrentForOneEvent_ExactlyOneIsNewAndAllCarryItsTime()
    {
        var tenant = Secrets.NewTenant();
        var start = DateTimeOffset.UtcNow;
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            new SeenEventStore(azurite.TableService, TimeProvider.System).ClaimAsync(tenant, "evt_race", start.AddSeconds(i), TimeSpan.FromHours(1), TestContext.Current.CancellationToken)));

        var winner = Assert.Single(claims, c => c.Status == ClaimStatus.New);
        Assert.All(claims, c => Assert.Equal(winner.ReceivedAt, c.ReceivedAt));
        Assert.All(claims.Where(c => c != winner), c => Assert.Equal(ClaimStatus.Unpublished, c.Status));
    }

    [Fact]
    public async Task Claim_Row_HoldsIdsTimesAndFlagOnly()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?> { [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:0"] = secret });
        var body = Encoding.UTF8.GetBytes("""{"event_id":"pii-check","event_type":"course.completed","data":{"score":88,"email":"jane@example.com"}}""");
        var accepted = await ReadAsync(await host.Client.SendAsync(Signing.MindTickle(tenant, secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken));

        // The mark is written after the 202: wait for it.
        var table = azurite.TableService.GetTableClient(SeenEventStore.TableName);
        var row = await Eventually.GetAsync(
            async () => (await table.GetEntityAsync<TableEntity>(tenant, accepted.EventId, cancellationToken: TestContext.Current.CancellationToken)).Value is var marked && marked.GetBoolean("Published") == true ? marked : null,
            "the claim marked published",
            TimeSpan.FromSeconds(5));

        Assert.Equal(["ExpiresAt", "PartitionKey", "Published", "ReceivedAtTicks", "RowKey", "Timestamp", "odata.etag"], row.Keys.Order(StringComparer.Ordinal));
        Assert.True(row.GetBoolean("Published"));
    }

    [Fact]
    public async Task Claim_RowWrittenBeforeClaims_IsPublished()
    {
        // Before claims, a row was written only after publishing, with AcceptedAt and ExpiresAt and no flag.
        var tenant = Secrets.NewTenant();
        var cancellation = TestContext.Current.CancellationToken;
        var table = azurite.TableService.GetTableClient(SeenEventStore.TableName);
        await table.CreateIfNotExistsAsync(cancellation);
        await table.AddEntityAsync(new TableEntity(tenant, "evt_legacy") { ["AcceptedAt"] = DateTimeOffset.UtcNow, ["ExpiresAt"] = DateTimeOffset.UtcNow.AddHours(1) }, cancellation);

        var claim = await new SeenEventStore(azurite.TableService, TimeProvider.System).ClaimAsync(tenant, "evt_legacy", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), cancellation);

        Assert.Equal(ClaimStatus.Published, claim.Status);
    }

    [Fact]
    public async Task Claim_PublishedByThisInstance_AnswersWithoutTheTable()
    {
        var store = new SeenEventStore(azurite.TableService, TimeProvider.System);
        var tenant = Secrets.NewTenant();
        var cancellation = TestContext.Current.CancellationToken;
        await store.ClaimAsync(tenant, "evt_local", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), cancellation);
        store.RememberPublished(tenant, "evt_local", TimeSpan.FromHours(1));
        await store.MarkPublishedAsync(tenant, ["evt_local"], cancellation);

        // Deleting the row behind its back: this instance still knows, another instance would not.
        await azurite.TableService.GetTableClient(SeenEventStore.TableName).DeleteEntityAsync(tenant, "evt_local", cancellationToken: cancellation);

        Assert.Equal(ClaimStatus.Published, (await store.ClaimAsync(tenant, "evt_local", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), cancellation)).Status);
        Assert.Equal(ClaimStatus.New, (await new SeenEventStore(azurite.TableService, TimeProvider.System).ClaimAsync(tenant, "evt_local", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), cancellation)).Status);
    }
}
