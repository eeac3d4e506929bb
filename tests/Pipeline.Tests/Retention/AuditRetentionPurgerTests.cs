using Pipeline.Azure.Audit;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Retention;

public sealed class AuditRetentionPurgerTests(AzuriteFixture azurite)
{
    private static AuditEntry Row(string tenant, DateTimeOffset at, string id) =>
        new(tenant, at, AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", id, id, null, new Dictionary<string, string>());

    [Fact]
    public async Task Purge_DeletesOnlyPartitionsBeforeTheCutoffDay_AndOnlyThatTenants()
    {
        var tenant = Secrets.NewTenant();
        var neighbour = tenant + "x";
        var writer = new AuditTableWriter(azurite.TableService);
        var cutoff = new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);
        var old = Enumerable.Range(0, 150).Select(i => Row(tenant, cutoff.AddDays(-3).AddMinutes(i), $"old-{i}")).ToList();
        foreach (var entry in old.Append(Row(tenant, cutoff.AddDays(-1), "yesterday")).Append(Row(tenant, cutoff.Date, "cutoff-day")).Append(Row(neighbour, cutoff.AddDays(-10), "neighbour")))
        {
            await writer.WriteAsync(entry, TestContext.Current.CancellationToken);
        }

        var deleted = await new AuditRetentionPurger(azurite.TableService).PurgeAsync(tenant, cutoff, TestContext.Current.CancellationToken);

        Assert.Equal(151, deleted);
        var left = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Equal(["cutoff-day"], left.Select(r => r.GetString("EventId")));
        Assert.Single(await AuditRows.ForTenantAsync(azurite, neighbour));
    }

    [Fact]
    public async Task Purge_TwoOverlappingRuns_DeleteEachRowOnceAndCountHonestly()
    {
        var tenant = Secrets.NewTenant();
        var writer = new AuditTableWriter(azurite.TableService);
        var cutoff = new DateTimeOffset(2026, 6, 15, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 120; i++)
        {
            await writer.WriteAsync(Row(tenant, cutoff.AddDays(-2).AddSeconds(i), $"r{i}"), TestContext.Current.CancellationToken);
        }

        // Both runs read the same expired rows before either deletes them.
        var first = new AuditRetentionPurger(azurite.TableService);
        var second = new AuditRetentionPurger(azurite.TableService);
        var counts = await Task.WhenAll(
            first.PurgeAsync(tenant, cutoff, TestContext.Current.CancellationToken),
            second.PurgeAsync(tenant, cutoff, TestContext.Current.CancellationToken));

        Assert.Equal(120, counts.Sum());
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
    }
}
