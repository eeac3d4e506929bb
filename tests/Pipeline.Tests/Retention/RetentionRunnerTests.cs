using Microsoft.Extensions.Time.Testing;
using Pipeline.Azure.Retention;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Retention;

public sealed class RetentionRunnerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Run_PerTenantPolicy_DeletesWhatExpiredAndAuditsOneRowPerTenant()
    {
        var shortLived = Secrets.NewTenant();
        var longLived = Secrets.NewTenant();
        var now = new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
        var options = new PipelineOptions();
        options.Tenants[shortLived] = new TenantOptions { Privacy = { AuditRetentionDays = 7 } };
        options.Tenants[longLived] = new TenantOptions { Privacy = { AuditRetentionDays = 365 } };
        var writer = azurite.AuditWriter();
        foreach (var tenant in new[] { shortLived, longLived })
        {
            await writer.WriteAsync(new AuditEntry(tenant, now.AddDays(-30), AuditActions.EventAccepted, "success", "vendor:twinmind", "event", "month-old", "month-old", null, new Dictionary<string, string>()), TestContext.Current.CancellationToken);
        }

        var runner = new RetentionRunner(options, new RetentionOptions(), new AuditRetentionPurger(azurite.TableService), TranscriptPurger(), writer, new FakeTimeProvider(now));
        var dryRun = await runner.RunAsync(new RetentionRequest(now, DryRun: true, Tenant: shortLived, TimeSpan.FromMinutes(1)), cancellationToken: TestContext.Current.CancellationToken);
        var report = await runner.RunAsync(new RetentionRequest(now, DryRun: false, Tenant: null, TimeSpan.FromMinutes(1)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([new RetentionResult(shortLived, RetentionKinds.Transcripts, 0, true), new RetentionResult(shortLived, RetentionKinds.AuditRows, 1, true), new RetentionResult(shortLived, RetentionKinds.ErasureHolds, 0, true)], dryRun.Results);
        Assert.True(report.Finished);
        Assert.Equal(1, report.Results.Single(r => r.Tenant == shortLived && r.Kind == RetentionKinds.AuditRows).Rows);
        Assert.Equal(0, report.Results.Single(r => r.Tenant == longLived && r.Kind == RetentionKinds.AuditRows).Rows);
        var shortRows = await AuditRows.ForTenantAsync(azurite, shortLived);
        var run = Assert.Single(shortRows);
        Assert.Equal(AuditActions.RetentionPurged, run.GetString("Action"));
        Assert.Equal("1", run.GetString("Detail_auditRowsDeleted"));
        Assert.Equal("true", run.GetString("Detail_finished"));
        Assert.Equal(2, (await AuditRows.ForTenantAsync(azurite, longLived)).Count);
    }

    [Fact]
    public async Task Run_AllTenants_PurgesTheUnknownTenantAndRemovedTenantsByTheDefaultPolicy()
    {
        var removed = Secrets.NewTenant();
        var configured = Secrets.NewTenant();
        var now = new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
        var options = new PipelineOptions();
        options.Tenants[configured] = new TenantOptions();
        var writer = azurite.AuditWriter();
        var marker = "rejections-" + Guid.NewGuid().ToString("N");
        foreach (var (tenant, id) in new[] { (removed, "old"), (Core.Webhooks.RejectionTally.UnknownTenant, marker) })
        {
            // Past the default 365 days, and one recent row that stays.
            await writer.WriteAsync(new AuditEntry(tenant, now.AddDays(-400), "webhook.rejected", "failure", "system", "webhook", id, id, null, new Dictionary<string, string>()), TestContext.Current.CancellationToken);
            await writer.WriteAsync(new AuditEntry(tenant, now.AddDays(-10), "webhook.rejected", "failure", "system", "webhook", id + "-recent", id + "-recent", null, new Dictionary<string, string>()), TestContext.Current.CancellationToken);
        }

        var runner = new RetentionRunner(options, new RetentionOptions(), new AuditRetentionPurger(azurite.TableService), TranscriptPurger(), writer, new FakeTimeProvider(now));
        var report = await runner.RunAsync(new RetentionRequest(now, DryRun: false, Tenant: null, TimeSpan.FromMinutes(1)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(new RetentionResult(removed, RetentionKinds.AuditRows, 1, true), report.Results);
        Assert.Contains(report.Results, r => r.Tenant == Core.Webhooks.RejectionTally.UnknownTenant && r.Kind == RetentionKinds.AuditRows && r.Rows >= 1);
        var removedRows = await AuditRows.ForTenantAsync(azurite, removed);
        Assert.DoesNotContain(removedRows, r => r.GetString("ResourceId") == "old");
        Assert.Contains(removedRows, r => r.GetString("ResourceId") == "old-recent");
        var unknownRows = await AuditRows.ForTenantAsync(azurite, Core.Webhooks.RejectionTally.UnknownTenant);
        Assert.DoesNotContain(unknownRows, r => r.GetString("ResourceId") == marker);
        Assert.Contains(unknownRows, r => r.GetString("ResourceId") == marker + "-recent");
    }

    [Fact]
    public async Task Run_UnknownTenant_IsAClearError()
    {
        var runner = new RetentionRunner(new PipelineOptions(), new RetentionOptions(), new AuditRetentionPurger(azurite.TableService), TranscriptPurger(), azurite.AuditWriter(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(new RetentionRequest(DateTimeOffset.UnixEpoch, false, "nobody", TimeSpan.FromMinutes(1)), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("nobody", error.Message, StringComparison.Ordinal);
    }

    private TranscriptRetentionPurger TranscriptPurger() =>
        new(new TranscriptTableStore(azurite.TableService));
}
