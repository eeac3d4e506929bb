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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Events;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Webhooks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- load [seconds] [connections]</c>:
/// the ingress in Local mode (real Azurite for deduplication, a no-op publisher) against a bare
/// Kestrel endpoint that answers 202 to the same requests, both driven by <c>wrk</c> (apt package
/// <c>wrk</c>) on this machine in the same run. Loopback only; bounded in time. Then the ingress
/// with telemetry on (OpenTelemetry spans, metrics and logs, exported over OTLP/HTTP to a sink endpoint
/// on the bare app) and off, alternated, one handler at a time (OpenTelemetry's listeners are
/// process-wide, so a second live handler would be traced too), each with its own event.
/// </summary>
internal static class IngressLoad
{
    /// <summary>Bare and ingress runs, alternated; then telemetry-on and telemetry-off runs, alternated.</summary>
    private const int Rounds = 3;

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
        // The OTLP sink the telemetry-on handler exports to: accepts and discards.
        bare.MapPost("/v1/{signal}", () => Results.Ok());

        await ingress.StartAsync();
        await bare.StartAsync();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var scripts = new List<string>();

        // One event per handler: the first request of each run is accepted by that handler, so the rest
        // take its in-process duplicate path (a handler that did not mark it asks the table every time).
        string Script(string eventId)
        {
            var text = Encoding.UTF8.GetString(body).Replace("evt-0001", eventId, StringComparison.Ordinal);
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + text)));
            var path = Path.Combine(Path.GetTempPath(), $"ingress-load-{Environment.ProcessId}-{eventId}.lua");
            File.WriteAllText(path, $"""
                wrk.method = "POST"
                wrk.body = [==[{text}]==]
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["X-MindTickle-Signature"] = "{signature}"
                wrk.headers["X-MindTickle-Timestamp"] = "{timestamp}"
                {WrkDone}
                """);
            scripts.Add(path);
            return path;
        }

        try
        {
            var script = Script("evt-0001");

            Console.WriteLine($"wrk -t2 -c{connections} -d{seconds}s, 2 KiB MindTickle user.created, same machine ({Environment.ProcessorCount} cores)");
            await WrkAsync(Address(bare), script, seconds, connections, "warm-up bare");
            // As long a warm-up as the bare app's: with 3 s the JIT was still tiering up the handler's code in
            // the measured run, which then came out a quarter slower than the same handler warmed in the rounds below.
            await WrkAsync(Address(ingress), script, seconds, connections, "warm-up ingress");

            // Alternated, several times: bare Kestrel alone moves by a fifth between neighbouring runs on two
            // shared cores, more than one pair can tell apart.
            var bareRps = new List<double>();
            var ingressRps = new List<double>();
            var bareCpu = new List<double>();
            var ingressCpu = new List<double>();
            for (var round = 1; round <= Rounds; round++)
            {
                var bareRun = await WrkAsync(Address(bare), script, seconds, connections, $"bare Kestrel 202 #{round}");
                var ingressRun = await WrkAsync(Address(ingress), script, seconds, connections, $"ingress (Local mode, no-op publisher) #{round}");
                bareRps.Add(bareRun.Rps);
                ingressRps.Add(ingressRun.Rps);
                bareCpu.Add(double.Parse(Field(bareRun.Line, "server_cpu_us"), CultureInfo.InvariantCulture));
                ingressCpu.Add(double.Parse(Field(ingressRun.Line, "server_cpu_us"), CultureInfo.InvariantCulture));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"server CPU per request: bare {bareCpu.Average():F1} us, ingress {ingressCpu.Average():F1} us (means of {Rounds} runs)"));

            var ratio = ingressRps.Average() / bareRps.Average();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio ingress/bare = {ratio:F2} (mean of {Rounds} ingress, {Rounds} bare runs; per round {string.Join(", ", ingressRps.Zip(bareRps, (i, b) => (i / b).ToString("F2", CultureInfo.InvariantCulture)))}; target >= 0.8: {(ratio >= 0.8 ? "met" : "NOT met")})"));
            await ingress.StopAsync();
            await ingress.DisposeAsync();

            // Alternated, so the JIT's tiering and the machine's load drift fall on both sides alike.
            var sink = BaseAddress(bare);
            var on = new List<double>();
            // The first off run is left out: its handler was the first to run, on colder JIT-compiled code.
            var off = new List<double>();
            for (var round = 1; round <= Rounds; round++)
            {
                on.Add((await MeasureAsync(BuildIngress(azurite.ConnectionString, secret, sink), Script($"evt-on{round:D2}"), seconds, connections, $"ingress, telemetry on (OTLP) #{round}")).Rps);
                off.Add((await MeasureAsync(BuildIngress(azurite.ConnectionString, secret), Script($"evt-of{round:D2}"), seconds, connections, $"ingress, telemetry off #{round}")).Rps);
            }

            var telemetryRatio = on.Average() / off.Average();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio telemetry on/off = {telemetryRatio:F2} (mean of {on.Count} on, {off.Count} off runs; target >= 0.9: {(telemetryRatio >= 0.9 ? "met" : "NOT met")})"));
            return 0;
        }
        finally
        {
            scripts.ForEach(File.Delete);
            await bare.StopAsync();
        }
    }

    /// <summary>Starts one handler, warms it up, measures it, and stops and disposes it (its listeners with it).</summary>
    private static async Task<(double Rps, string Line)> MeasureAsync(WebApplication ingress, string script, int seconds, int connections, string label)
    {
        await ingress.StartAsync();
        try
        {
            await WrkAsync(Address(ingress), script, 3, connections, "warm-up " + label);
            return await WrkAsync(Address(ingress), script, seconds, connections, label);
        }
        finally
        {
            await ingress.StopAsync();
            await ingress.DisposeAsync();
        }
    }

    /// <summary>
    /// The real handler in Local mode on a free port, rate limit out of the way, publishing nowhere; with
    /// <paramref name="otlpSink"/>, telemetry on and exported there over OTLP/HTTP protobuf; <paramref name="services"/>
    /// may replace the handler's services (the unique-event run's table-less deduplication).
    /// </summary>
    public static WebApplication BuildIngress(string storageConnectionString, string secret, string? otlpSink = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Pipeline:Storage:ConnectionString"] = storageConnectionString,
            ["Pipeline:ServiceBus:TopicName"] = "load-events",
            ["Pipeline:Audit:PseudonymKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Secrets:0"] = secret,
            ["Pipeline:Tenants:acme:Vendors:mindtickle:Scopes:0"] = "scim:write",
            ["Pipeline:Webhooks:RateLimit:PermitsPerSecond"] = "1000000",
            ["Pipeline:Webhooks:RateLimit:Burst"] = "1000000",
        };
        if (otlpSink is not null)
        {
            settings["Pipeline:Telemetry:Exporter"] = "Otlp";
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpSink;
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        }

        return LocalHandler.Build(settings, handlerServices =>
        {
            handlerServices.AddSingleton<IEventPublisher, NoOpPublisher>();
            services?.Invoke(handlerServices);
        });
    }

    public static string Address(WebApplication app) => BaseAddress(app) + "/api/webhooks/mindtickle/acme";

    private static string BaseAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

    /// <summary>wrk's summary line, printed by the script's <c>done</c> function.</summary>
    public const string WrkDone = """
        done = function(summary, latency, requests)
          io.write(string.format("RESULT requests=%d non2xx=%d errors=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
            summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
            summary.duration / 1e6, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
        end
        """;

    /// <summary>One <c>name=value</c> of a result line.</summary>
    public static string Field(string line, string name) =>
        line.Split(' ').First(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    public static async Task<(double Rps, string Line)> WrkAsync(string url, string script, int seconds, int connections, string label, int threads = 2)
    {
        var start = new ProcessStartInfo("wrk", [$"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // This process's CPU time and allocation over the run, per request, and its gen-0 collections: the server's
        // own cost (wrk is another process; the app not under load idles), steadier than requests/s, which moves
        // with how wrk and the server share the cores.
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var collectionsBefore = GC.CollectionCount(0);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var collections = GC.CollectionCount(0) - collectionsBefore;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT", StringComparison.Ordinal)) ?? throw new InvalidOperationException("wrk printed no result:\n" + output);
        var requests = long.Parse(line.Split(' ').First(p => p.StartsWith("requests=", StringComparison.Ordinal))[9..], CultureInfo.InvariantCulture);
        line += string.Create(CultureInfo.InvariantCulture,
            $" server_cpu_us={cpu.TotalMicroseconds / Math.Max(1, requests):F1} server_alloc_b={allocated / Math.Max(1, requests)} gen0={collections}");
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
