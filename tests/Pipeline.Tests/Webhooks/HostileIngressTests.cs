using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Issue 17 over real HTTP: bodies that never arrive in full are 400/408 at Debug (never a 500 or an
/// Error log), and an unsigned flood from the tenant's own network cannot spend the tenant's bucket.
/// </summary>
public sealed class HostileIngressTests(AzuriteFixture azurite)
{
    private const string CourseCompleted = """{"event_id":"e-1","event_type":"course.completed","data":{"score":97}}""";

    private static Dictionary<string, string?> DebugLogging(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Logging:LogLevel:Default"] = "Debug";
        return settings;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_AbortedBodies_AreCountedAtDebugWithoutErrorOr500(bool reset)
    {
        const int aborted = 100;
        var logs = new CapturedLogs();
        await using var host = await IngressHost.StartAsync(azurite, DebugLogging(), services: s => s.AddSingleton<ILoggerProvider>(logs));
        var head = $"POST /api/webhooks/twinmind/{host.Tenant} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";

        for (var i = 0; i < aborted; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(host.Host.BaseAddress.Host, host.Host.BaseAddress.Port, TestContext.Current.CancellationToken);
            await socket.SendAsync(Encoding.ASCII.GetBytes(head + """{"id":"x","type":"tran"""), TestContext.Current.CancellationToken);
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0); // RST instead of FIN
            }

            socket.Close();
        }

        // A reset can reach Kestrel before the request does, and then the application never sees it;
        // a FIN always leaves the request to the application, which must count every one.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(reset ? 3 : 20);
        while (Incomplete(logs) < aborted && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        if (!reset)
        {
            Assert.Equal(aborted, Incomplete(logs));
        }

        Assert.All(logs.Entries.Where(e => e.Fields.TryGetValue("Reason", out var r) && Equals(r, "incomplete-body")), e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        using var health = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static int Incomplete(CapturedLogs logs) =>
        logs.Entries.Count(e => e.Fields.TryGetValue("Reason", out var reason) && Equals(reason, "incomplete-body"));

    [Fact]
    public async Task Post_TrickledBody_Is408AtDebug()
    {
        var logs = new CapturedLogs();
        await using var host = await IngressHost.StartAsync(
            azurite, DebugLogging(new() { ["Pipeline:Webhooks:BodyGraceSeconds"] = "2" }), services: s => s.AddSingleton<ILoggerProvider>(logs));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host.Host.BaseAddress.Host, host.Host.BaseAddress.Port, TestContext.Current.CancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /api/webhooks/twinmind/{host.Tenant} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"), TestContext.Current.CancellationToken);

        // One byte every 100 ms (10 bytes a second, under the 240 required): the whole body would take 20 s.
        var answer = new byte[4096];
        var receive = socket.ReceiveAsync(answer, TestContext.Current.CancellationToken).AsTask();
        for (var i = 0; i < 60 && !receive.IsCompleted; i++)
        {
            await socket.SendAsync("{"u8.ToArray(), TestContext.Current.CancellationToken);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var received = await receive.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var response = Encoding.ASCII.GetString(answer, 0, received);
        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        Assert.Contains("urn:pipeline:problem:webhook:body-timeout", response, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Pipeline", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Post_UnsignedFloodFromTheSameNetwork_LeavesTheTenantsSignedWebhook202()
    {
        // The default limits: 100/s and 200 at once per tenant; 20/s and 100 at once per source network.
        await using var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Pipeline:Webhooks:RateLimit:PermitsPerSecond"] = "100",
            ["Pipeline:Webhooks:RateLimit:Burst"] = "200",
        });
        const int flood = 1_200;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, TimeSpan? RetryAfter)>();

        await Parallel.ForAsync(0, flood, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken }, async (i, cancellationToken) =>
        {
            // Unsigned, or signed with a guessed secret: nothing the tenant's vendor sent.
            var request = i % 2 == 0
                ? Signing.Json($"/api/webhooks/mindtickle/{host.Tenant}", Encoding.UTF8.GetBytes(CourseCompleted))
                : VendorSignatures.Request("mindtickle", host.Tenant, VendorSignatures.NewSecret("mindtickle"), Encoding.UTF8.GetBytes(CourseCompleted), DateTimeOffset.UtcNow);
            using (request)
            using (var response = await host.Client.SendAsync(request, cancellationToken))
            {
                statuses.Add((response.StatusCode, response.Headers.RetryAfter?.Delta));
            }
        });

        using var signed = await host.SendSignedAsync("mindtickle", CourseCompleted);

        Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);
        Assert.Equal(flood, statuses.Count);
        Assert.All(statuses, s => Assert.Contains(s.Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        var limited = statuses.Where(s => s.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(limited.Count > flood / 2, $"only {limited.Count} of {flood} unsigned requests were limited");
        Assert.All(limited, s => Assert.True(s.RetryAfter >= TimeSpan.FromSeconds(1)));
    }
}
