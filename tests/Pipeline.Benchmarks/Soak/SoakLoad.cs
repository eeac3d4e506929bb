using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Local;
using Pipeline.Azure.Webhooks;
using Pipeline.Core.Audit;
using Pipeline.Host.Auth;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Soak;

/// <summary>
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- soak [N] [sigkill-azurite]</c> (default 5,000): mixed
/// vendors with redeliveries through the real handler in Local mode, as a child process, on an Azurite
/// of its own (free ports, data on disk), while the handler is SIGKILLed and restarted at random points
/// and Azurite is stopped and restarted once: gracefully (SIGTERM, as a storage outage loses nothing it
/// acknowledged), or with <c>sigkill-azurite</c> as a further argument by SIGKILL, which shows what
/// Azurite itself forgets. Every answer other than 202 or a duplicate is retried the
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
        var sigkillAzurite = args.Contains("sigkill-azurite", StringComparer.Ordinal);
        var root = RepositoryRoot.Find();
        var work = Directory.CreateTempSubdirectory("pipeline-soak-");
        var azuriteSettings = new AzuriteSettings(root, Path.Combine(work.FullName, "azurite"), AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort());
        var azurite = await AzuriteProcess.StartAsync(azuriteSettings);
        var handler = new SoakHandler(azurite.ConnectionString, work.FullName);
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
            var chaos = ChaosAsync(handler, () => Interlocked.Read(ref sent), sends.Count, azuriteSettings, sigkillAzurite, value => azurite = value, () => azurite);

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
            var chain = await new AuditChainVerifier(tables, AuditChain.DeriveKey(SoakHandler.PseudonymKey))
                .VerifyAsync(tenant, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var poisoned = await PoisonedAsync(azurite.ConnectionString, handler.Topic);
            var forgotten = await ClaimsForgottenAsync(tables, tenant, accepted.Keys);
            clock.Stop();

            var lost = accepted.Count - audited + (transcriptEvents.Count - stored) + (transcriptEvents.Count - readBack);
            Console.WriteLine($"Azurite stopped with {(sigkillAzurite ? "SIGKILL" : "SIGTERM (graceful)")}; the handler with SIGKILL.");
            Console.WriteLine("| sent | accepted | retried | duplicate answers | audited | stored | read back | lost | duplicated | poisoned | claims Azurite forgot | chain | kills | time |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {sends.Count} | {accepted.Count} | {retried} | {duplicateAnswers} | {audited} | {stored} | {readBack} | {lost} | {duplicated} | {poisoned} | {forgotten} | {(chain.Break is null ? $"intact ({chain.Rows} rows)" : "BROKEN: " + chain.Break.Reason)} | {handler.Kills} | {clock.Elapsed.TotalSeconds:F0} s |"));
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
    private static async Task ChaosAsync(SoakHandler handler, Func<long> progress, int sends, AzuriteSettings settings, bool sigkillAzurite, Action<AzuriteProcess> replaced, Func<AzuriteProcess> current)
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
                if (sigkillAzurite)
                {
                    await current().KillAsync();
                }

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

    /// <summary>
    /// Accepted events whose claim is missing from <c>SeenEvents</c>. The ingress answers 202 only after
    /// its claim was acknowledged, so each one is a write Azurite acknowledged and then lost (SIGKILL
    /// before its periodic save), not something the pipeline dropped.
    /// </summary>
    private static async Task<int> ClaimsForgottenAsync(TableServiceClient tables, string tenant, IEnumerable<string> accepted)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in tables.GetTableClient(SeenEventStore.TableName).QueryAsync<TableEntity>(e => e.PartitionKey == tenant, select: ["RowKey"]))
        {
            claimed.Add(row.RowKey);
        }

        return accepted.Count(id => !claimed.Contains(id));
    }

    private static async Task<int> ReadTranscriptsBackAsync(HttpClient client, string tenant, IReadOnlyList<string> transcriptIds)
    {
        var token = LocalTokens.Mint(SoakHandler.LocalSigningKey, "soak", [CallerRoles.TranscriptsRead], [tenant], DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
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
}
