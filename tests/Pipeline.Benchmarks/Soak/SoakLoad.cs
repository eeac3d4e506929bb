using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Local;
using Pipeline.Core.Audit;
using Pipeline.Host.Auth;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Soak;

/// <summary>
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- soak [N]</c> (default 5,000): mixed
/// vendors with redeliveries through the real handler in Local mode, as a child process, on an Azurite
/// of its own (free ports, data on disk), while the handler is SIGKILLed and restarted at random points
/// and Azurite is stopped and restarted once. Every answer other than 202 or a duplicate is retried the
/// way a vendor would. At the end every accepted event must have exactly one <c>event.accepted</c> row
/// (and one <c>transcript.stored</c> row and a transcript that reads back through the API), the audit
/// chain must verify and the poison queues must be empty.
/// </summary>
internal static class SoakLoad
{
    private const int Workers = 8;
    private const int Kills = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
        var root = RepositoryRoot.Find();
        var work = Directory.CreateTempSubdirectory("pipeline-soak-");
        var azuriteSettings = new AzuriteSettings(root, Path.Combine(work.FullName, "azurite"), AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort());
        var azurite = await AzuriteProcess.StartAsync(azuriteSettings);
        var handler = new HandlerProcess(azurite.ConnectionString, work.FullName);
        var clock = Stopwatch.StartNew();
        try
        {
            await handler.StartAsync();
            using var client = new HttpClient { BaseAddress = handler.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var events = Enumerable.Range(0, total).Select(i => SoakEvent.Create(i, handler)).ToList();

            // Redeliveries: one event in ten is sent a second time, later, as a vendor would after a lost answer.
            var sends = events.Concat(events.Where(e => e.Index % 10 == 3)).ToList();
            var accepted = new ConcurrentDictionary<string, SoakEvent>();
            long retried = 0, duplicateAnswers = 0, sent = 0;
            var chaos = ChaosAsync(handler, () => Interlocked.Read(ref sent), sends.Count, azuriteSettings, value => azurite = value, () => azurite);

            await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (soakEvent, cancellationToken) =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    using var request = soakEvent.Request();
                    try
                    {
                        using var response = await client.SendAsync(request, cancellationToken);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                            if (answer.RootElement.GetProperty("duplicate").GetBoolean())
                            {
                                Interlocked.Increment(ref duplicateAnswers);
                            }

                            accepted[answer.RootElement.GetProperty("eventId").GetString()!] = soakEvent;
                            break;
                        }

                        if ((int)response.StatusCode is not (503 or 429 or 500 or 502 or 504))
                        {
                            throw new InvalidOperationException($"event {soakEvent.Index}: unexpected {(int)response.StatusCode}");
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The handler was killed under this request: the vendor retries.
                    }
                    catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Timed out while Azurite or the handler was down.
                    }

                    Interlocked.Increment(ref retried);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 50 * attempt)), cancellationToken);
                }

                Interlocked.Increment(ref sent);
            });
            await chaos;

            var tenant = handler.Tenant;
            var tables = new TableServiceClient(azurite.ConnectionString);
            var transcriptEvents = accepted.Where(a => a.Value.HasTranscript).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
            var (audited, stored, duplicated) = await WaitForRowsAsync(tables, tenant, accepted.Keys.ToHashSet(StringComparer.Ordinal), transcriptEvents);
            var readBack = await ReadTranscriptsBackAsync(client, tenant, accepted.Values.Where(e => e.HasTranscript).Select(e => e.TranscriptId!).Distinct().ToList());
            var chain = await new AuditChainVerifier(tables, AuditChain.DeriveKey(HandlerProcess.PseudonymKey))
                .VerifyAsync(tenant, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var poisoned = await PoisonedAsync(azurite.ConnectionString, handler.Topic);
            clock.Stop();

            var lost = accepted.Count - audited + (transcriptEvents.Count - stored) + (transcriptEvents.Count - readBack);
            Console.WriteLine("| sent | accepted | retried | duplicate answers | audited | stored | read back | lost | duplicated | poisoned | chain | kills | time |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {sends.Count} | {accepted.Count} | {retried} | {duplicateAnswers} | {audited} | {stored} | {readBack} | {lost} | {duplicated} | {poisoned} | {(chain.Break is null ? $"intact ({chain.Rows} rows)" : "BROKEN: " + chain.Break.Reason)} | {handler.Kills} | {clock.Elapsed.TotalSeconds:F0} s |"));
            return lost == 0 && duplicated == 0 && poisoned == 0 && chain.Break is null && accepted.Count == total ? 0 : 1;
        }
        finally
        {
            handler.Kill();
            await azurite.DisposeAsync();
            work.Delete(recursive: true);
        }
    }

    /// <summary>Kills the handler <see cref="Kills"/> times at random points of the run, and stops Azurite once for a few seconds.</summary>
    private static async Task ChaosAsync(HandlerProcess handler, Func<long> progress, int sends, AzuriteSettings settings, Action<AzuriteProcess> replaced, Func<AzuriteProcess> current)
    {
        var random = new Random(17);
        var killAt = Enumerable.Range(0, Kills).Select(_ => (long)random.Next(sends / 10, sends * 9 / 10)).Order().ToQueue();
        var azuriteAt = (long)sends / 2;
        var azuriteDone = false;
        while (progress() < sends)
        {
            if (killAt.Count > 0 && progress() >= killAt.Peek())
            {
                killAt.Dequeue();
                handler.Kill();
                await Task.Delay(random.Next(200, 1_500));
                await handler.StartAsync();
            }

            if (!azuriteDone && progress() >= azuriteAt)
            {
                azuriteDone = true;
                await current().DisposeAsync();
                await Task.Delay(3_000);
                replaced(await AzuriteProcess.StartAsync(settings));
            }

            await Task.Delay(50);
        }
    }

    private static Queue<long> ToQueue(this IEnumerable<long> values) => new(values);

    /// <summary>Waits until every accepted event's rows are there (or five minutes pass), then counts them.</summary>
    private static async Task<(int Audited, int Stored, int Duplicated)> WaitForRowsAsync(
        TableServiceClient tables, string tenant, HashSet<string> accepted, HashSet<string> transcripts)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(5);
        while (true)
        {
            var perAction = new Dictionary<(string, string), int>();
            try
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey ge {tenant + "_"} and PartitionKey lt {tenant + "_~"}");
                await foreach (var row in tables.GetTableClient(AuditTableWriter.TableName).QueryAsync<TableEntity>(filter, select: ["EventId", "Action"]))
                {
                    if (row.GetString("EventId") is { } eventId && row.GetString("Action") is { } action)
                    {
                        perAction[(eventId, action)] = perAction.GetValueOrDefault((eventId, action)) + 1;
                    }
                }
            }
            catch (RequestFailedException)
            {
                // Not there yet.
            }

            var audited = accepted.Count(id => perAction.ContainsKey((id, AuditActions.EventAccepted)));
            var stored = transcripts.Count(id => perAction.ContainsKey((id, AuditActions.TranscriptStored)));
            if ((audited == accepted.Count && stored == transcripts.Count) || DateTimeOffset.UtcNow > deadline)
            {
                var duplicated = perAction.Count(p => p.Value > 1 && p.Key.Item2 is AuditActions.EventAccepted or AuditActions.TranscriptStored);
                return (audited, stored, duplicated);
            }

            await Task.Delay(1_000);
        }
    }

    private static async Task<int> ReadTranscriptsBackAsync(HttpClient client, string tenant, IReadOnlyList<string> transcriptIds)
    {
        var token = LocalTokens.Mint(HandlerProcess.LocalSigningKey, "soak", [CallerRoles.TranscriptsRead], [tenant], DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var read = 0;
        foreach (var id in transcriptIds)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/transcripts/{tenant}/{id}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            read += response.IsSuccessStatusCode ? 1 : 0;
        }

        return read;
    }

    private static async Task<int> PoisonedAsync(string connectionString, string topic)
    {
        var queues = new QueueServiceClient(connectionString);
        var subscriptions = new LocalSubscriptions(topic);
        var poisoned = 0;
        foreach (var queue in new[] { subscriptions.AuditQueue, subscriptions.TranscriptsQueue })
        {
            var poison = queues.GetQueueClient(LocalSubscriptions.PoisonQueue(queue));
            if (await poison.ExistsAsync())
            {
                poisoned += (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }
        }

        return poisoned;
    }

    /// <summary>The real handler as a child process, in Local mode, on a fixed port across restarts.</summary>
    private sealed class HandlerProcess(string connectionString, string work)
    {
        public static readonly string LocalSigningKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        public static readonly string PseudonymKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

        private readonly int _port = AzuriteProcess.FreePort();
        private Process? _process;

        public string Tenant { get; } = "soak";

        public string Topic { get; } = $"soak-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

        public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal)
        {
            ["mindtickle"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["twinmind"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["standard"] = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };

        public Uri BaseAddress => new($"http://127.0.0.1:{_port}");

        public int Kills { get; private set; }

        public async Task StartAsync()
        {
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Pipeline.Host"), ["--urls", BaseAddress.ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            var environment = start.Environment;
            environment["Pipeline__Mode"] = "Local";
            environment["Logging__LogLevel__Default"] = "Warning";
            environment["Pipeline__Storage__ConnectionString"] = connectionString;
            environment["Pipeline__ServiceBus__TopicName"] = Topic;
            environment["ServiceBusTopicName"] = Topic;
            environment["Pipeline__Auth__LocalSigningKey"] = LocalSigningKey;
            environment["Pipeline__Audit__PseudonymKey"] = PseudonymKey;
            environment["Pipeline__KeyVault__LocalKeyFile"] = Path.Combine(work, "kek.json");
            environment["Pipeline__Webhooks__RateLimit__PermitsPerSecond"] = "100000";
            environment["Pipeline__Webhooks__RateLimit__Burst"] = "100000";
            environment[$"Pipeline__Tenants__{Tenant}__Vendors__mindtickle__Scopes__0"] = "scim:write";
            foreach (var (vendor, secret) in Secrets)
            {
                environment[$"Pipeline__Tenants__{Tenant}__Vendors__{vendor}__Secrets__0"] = secret;
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("The handler did not start.");
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            using var client = new HttpClient { BaseAddress = BaseAddress };
            for (var i = 0; i < 600; i++)
            {
                try
                {
                    using var health = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                    if (health.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            throw new InvalidOperationException("The handler did not become healthy.");
        }

        /// <summary>SIGKILL on Unix: no shutdown code runs.</summary>
        public void Kill()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill();
                _process.WaitForExit();
                Kills++;
            }
        }
    }

    /// <summary>One vendor event, signed afresh for each send (MindTickle and Standard timestamps).</summary>
    private sealed record SoakEvent(int Index, string Vendor, string Secret, byte[] Body, bool HasTranscript, string? TranscriptId, string Tenant)
    {
        public static SoakEvent Create(int index, HandlerProcess handler)
        {
            var (vendor, body, transcriptId) = (index % 10) switch
            {
                0 or 1 or 2 => ("mindtickle", $$$"""{"event_id":"mt-{{{index}}}","event_type":"course.completed","occurred_at":"2026-12-02T10:00:00Z","data":{"user_email":"learner{{{index % 97}}}@example.com","score":{{{index % 101}}}}}""", (string?)null),
                3 => ("mindtickle", $$$$"""{"event_id":"mt-{{{{index}}}}","event_type":"user.updated","data":{"user":{"userName":"user{{{{index % 50}}}}@example.com","name":{"givenName":"Ada","familyName":"L"},"active":true}}}""", null),
                4 or 5 or 6 => ("twinmind", $$$"""{"id":"tm-{{{index}}}","type":"transcript.completed","created_at":"2026-12-02T10:00:00Z","data":{"transcript_id":"tr-{{{index}}}","transcript":"Alice: shall we start? Bob: yes, item {{{index}}} first.","consent":true,"participants":[{"name":"Alice","email":"alice{{{index % 13}}}@example.com"},{"name":"Bob","email":"bob@example.com"}]}}""", $"tr-{index}"),
                _ => ("standard", $$$"""{"type":"invoice.paid","timestamp":"2026-12-02T10:00:00Z","data":{"n":{{{index}}}}}""", null),
            };
            return new SoakEvent(index, vendor, handler.Secrets[vendor], Encoding.UTF8.GetBytes(body), transcriptId is not null, transcriptId, handler.Tenant);
        }

        public HttpRequestMessage Request()
        {
            var content = new ByteArrayContent(Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{Vendor}/{Tenant}") { Content = content };
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            switch (Vendor)
            {
                case "mindtickle":
                    request.Headers.Add("x-mindtickle-timestamp", timestamp);
                    request.Headers.Add("x-mindtickle-signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. Body])));
                    break;
                case "twinmind":
                    request.Headers.Add("x-twinmind-signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Body)));
                    break;
                default:
                    var id = $"msg_soak_{Index}";
                    request.Headers.Add("webhook-id", id);
                    request.Headers.Add("webhook-timestamp", timestamp);
                    request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(HMACSHA256.HashData(
                        Convert.FromBase64String(Secret["whsec_".Length..]), (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. Body])));
                    break;
            }

            return request;
        }
    }
}
