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
}
