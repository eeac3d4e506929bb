using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Webhooks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- load unique [seconds] [connections]</c>:
/// every request a new signed event (2 KiB MindTickle <c>user.created</c>, its own <c>event_id</c>), no-op
/// publisher, twice: once with a deduplication table that answers without storage (the handler's own cost)
/// and once against the real <c>SeenEvents</c> table on Azurite (in memory, free ports: the whole), printed
/// as one table. wrk cycles through requests signed beforehand; a run that sends more requests than were
/// signed says so, since the surplus are redeliveries.
/// </summary>
internal static class UniqueEventLoad
{
    /// <summary>
    /// Signed in advance per second of the measured run: above the ~27,000 new events/s the handler alone
    /// reached on a quiet machine (270,000 in 10 s), so its run does not repeat events, and no more than that
    /// for a short run (signing them is the command's start-up).
    /// </summary>
    private const int SignedPerSecond = 36_000;

    /// <summary>
    /// One wrk thread: wrk runs each thread's <c>init</c> (here, reading every signed request) just before
    /// starting that thread and starts its clock after the last, so with two threads the first sent requests
    /// for seconds that the duration did not count (earlier two-thread runs overstated requests/s: one implied
    /// the server alone used 2.4 of the machine's 2 cores).
    /// </summary>
    private const int Threads = 1;

    /// <summary>Signed for each handler's warm-up, under other event ids than the measured run's.</summary>
    private const int WarmUpSigned = 20_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        if (!IngressLoad.CanRun("wrk"))
        {
            await Console.Error.WriteLineAsync("wrk is not installed (apt-get install wrk).");
            return 2;
        }

        await using var azurite = await AzuriteProcess.StartAsync(new AzuriteSettings(
            RepositoryRoot.Find(), null, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var requests = Path.Combine(Path.GetTempPath(), $"unique-load-{Environment.ProcessId}.txt");
        var script = Path.Combine(Path.GetTempPath(), $"unique-load-{Environment.ProcessId}.lua");
        var warmUpRequests = Path.Combine(Path.GetTempPath(), $"unique-load-{Environment.ProcessId}-warm.txt");
        var warmUpScript = Path.Combine(Path.GetTempPath(), $"unique-load-{Environment.ProcessId}-warm.lua");
        try
        {
            var signed = seconds * SignedPerSecond;
            await WriteSignedRequestsAsync(requests, secret, "evt", signed);
            await File.WriteAllTextAsync(script, Script(requests));
            await WriteSignedRequestsAsync(warmUpRequests, secret, "wrm", WarmUpSigned);
            await File.WriteAllTextAsync(warmUpScript, Script(warmUpRequests));
            Console.WriteLine($"wrk -t1 -c{connections} -d{seconds}s, each request a new 2 KiB MindTickle user.created, no-op publisher ({Environment.ProcessorCount} cores)");

            // The handler alone first (deduplication answers without storage), then the whole with Azurite.
            // Each run is a fresh handler, so the same signed events are new to each.
            var handler = await MeasureAsync(
                IngressLoad.BuildIngress(azurite.ConnectionString, secret, services: s => s.AddSingleton(sp => NoOpSeenEvents.Create(sp.GetRequiredService<TimeProvider>()))),
                warmUpScript, script, seconds, connections, signed, "handler: no-op deduplication");
            var whole = await MeasureAsync(IngressLoad.BuildIngress(azurite.ConnectionString, secret), warmUpScript, script, seconds, connections, signed, "whole: Azurite deduplication");

            Console.WriteLine();
            Console.WriteLine("| run | requests/s | p50 ms | p99 ms | non-2xx | errors | handler CPU µs per request |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (label, line) in new[] { ("handler (no-op deduplication, no-op publisher)", handler), ("whole (Azurite deduplication, no-op publisher)", whole) })
            {
                Console.WriteLine($"| {label} | {IngressLoad.Field(line, "rps")} | {IngressLoad.Field(line, "p50_ms")} | {IngressLoad.Field(line, "p99_ms")} | {IngressLoad.Field(line, "non2xx")} | {IngressLoad.Field(line, "errors")} | {IngressLoad.Field(line, "server_cpu_us")} |");
            }

            return 0;
        }
        finally
        {
            File.Delete(requests);
            File.Delete(script);
            File.Delete(warmUpRequests);
            File.Delete(warmUpScript);
        }
    }

    /// <summary>Starts the handler, warms it up (3 s, events of its own), measures it, and stops it; says so when more requests were sent than signed.</summary>
    private static async Task<string> MeasureAsync(WebApplication ingress, string warmUpScript, string script, int seconds, int connections, int signed, string label)
    {
        await ingress.StartAsync();
        try
        {
            await IngressLoad.WrkAsync(IngressLoad.Address(ingress), warmUpScript, 3, connections, "warm-up " + label, Threads);
            var (_, line) = await IngressLoad.WrkAsync(IngressLoad.Address(ingress), script, seconds, connections, label, Threads);
            var sent = long.Parse(IngressLoad.Field(line, "requests"), CultureInfo.InvariantCulture);
            if (sent > signed)
            {
                Console.WriteLine($"NOTE: {sent - signed} of {sent} requests repeated a signed event (only {signed} were signed): raise SignedPerSecond.");
            }

            return line;
        }
        finally
        {
            await ingress.StopAsync();
            await ingress.DisposeAsync();
        }
    }

    /// <summary>One line per request: timestamp, signature and body, tab-separated (bodies hold no tabs or newlines).</summary>
    private static async Task WriteSignedRequestsAsync(string path, string secret, string idPrefix, int count)
    {
        var template = Encoding.UTF8.GetString(Payloads.MindTickleUserCreated(2048));
        var key = Encoding.UTF8.GetBytes(secret);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        for (var i = 0; i < count; i++)
        {
            var body = template.Replace("\"evt-0001\"", $"\"{idPrefix}-{i:D7}\"", StringComparison.Ordinal);
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
            await writer.WriteLineAsync($"{timestamp}\t{signature}\t{body}");
        }
    }

    /// <summary>The signed requests in order, cycled.</summary>
    private static string Script(string requestsPath) => $$"""
        init = function(args)
          requests = {}
          for line in io.lines([==[{{requestsPath}}]==]) do
            local timestamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
            requests[#requests + 1] = wrk.format("POST", nil, {
              ["Content-Type"] = "application/json",
              ["X-MindTickle-Timestamp"] = timestamp,
              ["X-MindTickle-Signature"] = signature,
            }, body)
          end
          next = 1
        end
        request = function()
          local r = requests[next]
          next = next % #requests + 1
          return r
        end
        {{IngressLoad.WrkDone}}
        """;
}
