using System.Net;
using System.Text;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Telemetry;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.KeyVault;

namespace Pipeline.Tests.Telemetry;

/// <summary>The metrics the alerts and dashboards read, recorded by the real code paths.</summary>
public sealed class PipelineMetricsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Webhooks_AcceptedDuplicateAndForged_CountedByVendorTenantAndReason_WithIngressDurations()
    {
        using var measurements = new Measurements();
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:0"] = secret,
        });
        var body = Encoding.UTF8.GetBytes(
            """{"event_id":"evt-metrics-1","event_type":"course.completed","occurred_at":"2026-11-22T10:00:00Z","data":{"email":"jane.doe@example.com","score":97}}""");

        using (var accepted = await host.Client.SendAsync(Signing.MindTickle(tenant, secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using (var again = await host.Client.SendAsync(Signing.MindTickle(tenant, secret, body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var forged = await host.Client.SendAsync(Signing.MindTickle(tenant, Secrets.NewSecret(), body, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        (string, string)[] ours = [(TelemetryAttributes.Vendor, "mindtickle"), (TelemetryAttributes.Tenant, tenant)];
        Assert.Equal(1, measurements.Sum("pipeline.webhook.accepted", ours));
        Assert.Equal(1, measurements.Sum("pipeline.webhook.duplicates", ours));
        Assert.Equal(3, measurements.Sum("pipeline.webhook.rejected", [.. ours, (TelemetryAttributes.RejectionReason, "bad-signature")]));
        Assert.Equal(5, measurements.Count("pipeline.webhook.duration", ours));
        Assert.Equal(3, measurements.Count("pipeline.webhook.duration", [.. ours, (TelemetryAttributes.Outcome, "rejected")]));

        // The audit consumer reports the event's end-to-end latency once it is written.
        await Eventually.GetAsync(
            () => Task.FromResult(measurements.Count("pipeline.event.duration", [.. ours, (TelemetryAttributes.Function, "WriteAudit")]) > 0 ? "" : null),
            "the WriteAudit end-to-end latency");
    }

    [Fact]
    public void ChainVerification_TamperedRow_CountsABreak()
    {
        using var measurements = new Measurements();
        var key = AuditChain.DeriveKey(Secrets.NewSecret());
        var verifier = new AuditChainVerifier(azurite.TableService, key);
        var partition = $"{Secrets.NewTenant()}_20261202";
        var rows = new List<TableEntity>();
        var previous = "";
        for (var i = 1; i <= 3; i++)
        {
            var row = new TableEntity(partition, $"row-{i}") { ["Action"] = "event.accepted" };
            previous = AuditChain.Link(key, row, i, previous);
            rows.Add(row);
        }

        rows.Add(new TableEntity(partition, AuditChain.HeadRowKey) { [AuditChain.Seq] = 3L, [AuditChain.Hash] = previous });

        Assert.Null(verifier.VerifyPartition(partition, rows).Break);
        var before = measurements.Sum("pipeline.audit.chain.breaks");
        rows[1]["Action"] = "event.forged";
        Assert.NotNull(verifier.VerifyPartition(partition, rows).Break);
        Assert.True(measurements.Sum("pipeline.audit.chain.breaks") - before >= 1);
    }

    [Fact]
    public async Task KeyVault_ThrottledThenServed_CountsBothCallsAndTheThrottle()
    {
        using var measurements = new Measurements();
        await using var vault = await LoopbackKeyVault.StartAsync();
        var client = vault.CreateClient(new RecordingCredential());
        await client.GetKeyAsync(vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);
        var callsBefore = measurements.Sum("pipeline.keyvault.calls", (TelemetryAttributes.KeyVaultOperation, "getKey"));
        var throttlesBefore = measurements.Sum("pipeline.keyvault.throttles", (TelemetryAttributes.KeyVaultOperation, "getKey"));
        vault.Enqueue(429, retryAfter: "0", errorCode: "Throttled", errorMessage: "Too many requests.");

        await client.GetKeyAsync(vault.KeyName, cancellationToken: TestContext.Current.CancellationToken);

        // Other tests' vaults may count too (the meter is process-wide), so these are lower bounds.
        Assert.True(callsBefore >= 1);
        Assert.True(measurements.Sum("pipeline.keyvault.calls", (TelemetryAttributes.KeyVaultOperation, "getKey")) - callsBefore >= 2);
        Assert.True(measurements.Sum("pipeline.keyvault.throttles", (TelemetryAttributes.KeyVaultOperation, "getKey")) - throttlesBefore >= 1);
    }
}
