using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Webhooks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- load unique [seconds] [connections]</c>:
/// every request a new signed event (2 KiB MindTickle <c>user.created</c>, its own <c>event_id</c>),
/// so each one pays the ingress's deduplication against the real <c>SeenEvents</c> table on Azurite
/// (in memory, free ports) with a no-op publisher. wrk cycles through requests signed beforehand; a
/// run that sends more requests than were signed says so, since the surplus are redeliveries.
/// </summary>
internal static class UniqueEventLoad
{
    /// <summary>Signed in advance; far above what a new-event run on Azurite reaches in the default time.</summary>
    private const int Signed = 40_000;

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
        var ingress = IngressLoad.BuildIngress(azurite.ConnectionString, secret);
        await ingress.StartAsync();
        var requests = Path.Combine(Path.GetTempPath(), $"unique-load-{Environment.ProcessId}.txt");
        var script = Path.Combine(Path.GetTempPath(), $"unique-load-{Environment.ProcessId}.lua");
        try
        {
            await WriteSignedRequestsAsync(requests, secret);
            await File.WriteAllTextAsync(script, Script(requests));
            Console.WriteLine($"wrk -t2 -c{connections} -d{seconds}s, each request a new 2 KiB MindTickle user.created, Azurite deduplication, no-op publisher ({Environment.ProcessorCount} cores)");
            var (rps, line) = await IngressLoad.WrkAsync(IngressLoad.Address(ingress), script, seconds, connections, "ingress, new events");
            var sent = long.Parse(line.Split(' ').First(p => p.StartsWith("requests=", StringComparison.Ordinal))["requests=".Length..], CultureInfo.InvariantCulture);
            if (sent > Signed)
            {
                Console.WriteLine($"NOTE: {sent - Signed} of {sent} requests repeated a signed event (only {Signed} were signed): raise Signed or shorten the run.");
            }

            _ = rps;
            return 0;
        }
        finally
        {
            await ingress.StopAsync();
            File.Delete(requests);
            File.Delete(script);
        }
    }

    /// <summary>One line per request: timestamp, signature and body, tab-separated (bodies hold no tabs or newlines).</summary>
    private static async Task WriteSignedRequestsAsync(string path, string secret)
    {
        var template = Encoding.UTF8.GetString(Payloads.MindTickleUserCreated(2048));
        var key = Encoding.UTF8.GetBytes(secret);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        for (var i = 0; i < Signed; i++)
        {
            var body = template.Replace("\"evt-0001\"", $"\"evt-{i:D7}\"", StringComparison.Ordinal);
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
            await writer.WriteLineAsync($"{timestamp}\t{signature}\t{body}");
        }
    }

    /// <summary>Each wrk thread takes every other line, so the two threads never send the same event.</summary>
    private static string Script(string requestsPath) => $$"""
        local threads = 0
        setup = function(thread)
          thread:set("id", threads)
          threads = threads + 1
        end
        init = function(args)
          requests = {}
          local n = 0
          for line in io.lines([==[{{requestsPath}}]==]) do
            if n % 2 == id then
              local timestamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
              requests[#requests + 1] = wrk.format("POST", nil, {
                ["Content-Type"] = "application/json",
                ["X-MindTickle-Timestamp"] = timestamp,
                ["X-MindTickle-Signature"] = signature,
              }, body)
            end
            n = n + 1
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
