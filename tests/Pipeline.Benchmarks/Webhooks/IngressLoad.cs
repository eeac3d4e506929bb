using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Events;
using Pipeline.Host;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Webhooks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- load [seconds] [connections]</c>:
/// the ingress in Local mode (real Azurite for deduplication, a no-op publisher) against a bare
/// Kestrel endpoint that answers 202 to the same requests, both driven by <c>wrk</c> (apt package
/// <c>wrk</c>) on this machine in the same run. Loopback only; bounded in time.
/// </summary>
internal static class IngressLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        if (!CanRun("wrk"))
        {
            await Console.Error.WriteLineAsync("wrk is not installed (apt-get install wrk).");
            return 2;
        }

        await using var azurite = await AzuriteProcess.StartAsync(new AzuriteSettings(
            RepositoryRoot.Find(), null, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var body = Payloads.MindTickleUserCreated(2048);
        var ingress = BuildIngress(azurite.ConnectionString, secret);
        var bareBuilder = WebApplication.CreateSlimBuilder();
        bareBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        bareBuilder.Logging.ClearProviders();
        var bare = bareBuilder.Build();
        bare.MapPost("/api/webhooks/{vendor}/{tenant}", () => Results.Accepted());

        await ingress.StartAsync();
        await bare.StartAsync();
        try
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]));
            var script = Path.Combine(Path.GetTempPath(), $"ingress-load-{Environment.ProcessId}.lua");
            await File.WriteAllTextAsync(script, $"""
                wrk.method = "POST"
                wrk.body = [==[{Encoding.UTF8.GetString(body)}]==]
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["X-MindTickle-Signature"] = "{signature}"
                wrk.headers["X-MindTickle-Timestamp"] = "{timestamp}"
                {WrkDone}
                """);

            Console.WriteLine($"wrk -t2 -c{connections} -d{seconds}s, 2 KiB MindTickle user.created, same machine ({Environment.ProcessorCount} cores)");
            var bareResult = await WrkAsync(Address(bare), script, seconds, connections, "warm-up bare");
            var ingressWarm = await WrkAsync(Address(ingress), script, 3, connections, "warm-up ingress");
            bareResult = await WrkAsync(Address(bare), script, seconds, connections, "bare Kestrel 202");
            var ingressResult = await WrkAsync(Address(ingress), script, seconds, connections, "ingress (Local mode, no-op publisher)");
            File.Delete(script);
            _ = ingressWarm;
            var ratio = ingressResult.Rps / bareResult.Rps;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio ingress/bare = {ratio:F2} (target >= 0.8: {(ratio >= 0.8 ? "met" : "NOT met")})"));
            return 0;
        }
        finally
        {
            await ingress.StopAsync();
            await bare.StopAsync();
        }
    }

    /// <summary>The real handler in Local mode on a free port, rate limit out of the way, publishing nowhere.</summary>
    public static WebApplication BuildIngress(string storageConnectionString, string secret) =>
        HandlerApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:Mode"] = "Local",
                ["Logging:LogLevel:Default"] = "Warning", // HandlerApp adds the console logger after this callback.
                ["Pipeline:Storage:ConnectionString"] = storageConnectionString,
                ["Pipeline:ServiceBus:TopicName"] = "load-events",
                ["Pipeline:Auth:LocalSigningKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                ["Pipeline:Audit:PseudonymKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = secret,
                ["Pipeline:Tenants:acme:Vendors:mindtickle:Scopes:0"] = "scim:write",
                ["Pipeline:Webhooks:RateLimit:PermitsPerSecond"] = "1000000",
                ["Pipeline:Webhooks:RateLimit:Burst"] = "1000000",
            });
            builder.Services.AddSingleton<IEventPublisher, NoOpPublisher>();
        });

    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/api/webhooks/mindtickle/acme";

    /// <summary>wrk's summary line, printed by the script's <c>done</c> function.</summary>
    public const string WrkDone = """
        done = function(summary, latency, requests)
          io.write(string.format("RESULT requests=%d non2xx=%d errors=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
            summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
            summary.duration / 1e6, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
        end
        """;

    public static async Task<(double Rps, string Line)> WrkAsync(string url, string script, int seconds, int connections, string label)
    {
        var start = new ProcessStartInfo("wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT", StringComparison.Ordinal)) ?? throw new InvalidOperationException("wrk printed no result:\n" + output);
        Console.WriteLine($"{label,-40} {line}");
        var rps = double.Parse(line.Split(' ').First(p => p.StartsWith("rps=", StringComparison.Ordinal))[4..], CultureInfo.InvariantCulture);
        return (rps, line);
    }

    public static bool CanRun(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    private sealed class NoOpPublisher : IEventPublisher
    {
        public Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
