using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Local;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Issue 17: the Functions host stops a custom handler with SIGKILL on scale-in, which runs no
/// shutdown code. The real handler runs here as a child process, takes a flood of rejected webhooks,
/// and is SIGKILLed once every rejection is in the audit table, which its periodic flush alone put there.
/// </summary>
public sealed class RejectionSigkillTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Sigkill_OnceThePeriodicFlushWrote_LosesNoRejectionCount()
    {
        const int rejected = 200;
        var tenant = Secrets.NewTenant();
        var port = AzuriteProcess.FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Pipeline.Host"), ["--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Pipeline__Mode"] = "Local";
        start.Environment["Pipeline__Storage__ConnectionString"] = azurite.ConnectionString;
        start.Environment["Pipeline__ServiceBus__TopicName"] = $"t-{Guid.NewGuid():N}"[..20];
        start.Environment["Pipeline__Auth__LocalSigningKey"] = TestHost.LocalSigningKey;
        start.Environment["Pipeline__Audit__PseudonymKey"] = TestHost.PseudonymKey;
        start.Environment["Pipeline__KeyVault__LocalKeyFile"] = Path.Combine(Path.GetTempPath(), $"kek-{Guid.NewGuid():N}.json");
        start.Environment[$"Pipeline__Tenants__{tenant}__Vendors__mindtickle__Secrets__0"] = Secrets.NewSecret();
        start.Environment["Pipeline__Webhooks__UnverifiedRateLimit__PerNetworkPermitsPerSecond"] = "100000";
        start.Environment["Pipeline__Webhooks__UnverifiedRateLimit__PerNetworkBurst"] = "100000";
        start.Environment["Pipeline__Webhooks__UnverifiedRateLimit__GlobalPermitsPerSecond"] = "100000";
        start.Environment["Pipeline__Webhooks__UnverifiedRateLimit__GlobalBurst"] = "100000";
        using var handler = Process.Start(start) ?? throw new InvalidOperationException("The handler did not start.");
        handler.OutputDataReceived += (_, _) => { };
        handler.ErrorDataReceived += (_, _) => { };
        handler.BeginOutputReadLine();
        handler.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.GetAsync(
                async () =>
                {
                    try
                    {
                        using var health = await client.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);
                        return health.IsSuccessStatusCode ? health.StatusCode.ToString() : null;
                    }
                    catch (HttpRequestException)
                    {
                        return null;
                    }
                },
                "the handler to start",
                TimeSpan.FromSeconds(60));

            for (var i = 0; i < rejected; i++)
            {
                var body = Encoding.UTF8.GetBytes("""{"event_type":"course.completed","data":{"score":1}}""");
                using var request = VendorSignatures.Request("mindtickle", tenant, VendorSignatures.NewSecret("mindtickle"), body, DateTimeOffset.UtcNow);
                using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            // Every count reaches the table while the handler runs, by the periodic flush alone: one flush
            // interval plus the write, which on a loaded runner's shared Azurite can take seconds (a fixed
            // 2.5 s wait assumed a quiet machine), so the table is watched rather than a time assumed.
            await Eventually.GetAsync(
                async () => await CountedAsync(tenant) >= rejected ? "all counted" : null,
                $"{rejected} rejections counted in the audit table before the kill",
                TimeSpan.FromSeconds(30));
            Assert.False(handler.HasExited, "the handler must still be running: nothing may rely on its shutdown");
            handler.Kill(); // SIGKILL on Unix: no shutdown code runs, no final flush.
            await handler.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!handler.HasExited)
            {
                handler.Kill();
            }
        }

        // After the kill: still every count, none twice.
        Assert.Equal(rejected, await CountedAsync(tenant));
    }

    private async Task<long> CountedAsync(string tenant) =>
        (await AuditRows.ForTenantAsync(azurite, tenant))
            .Where(r => r.GetString("Action") == RejectionTally.Action)
            .Sum(r => long.Parse(r.GetString("Detail_count") ?? "0", CultureInfo.InvariantCulture));
}
