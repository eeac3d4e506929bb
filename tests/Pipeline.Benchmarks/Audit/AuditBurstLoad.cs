using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Local;
using Pipeline.Core.Events;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Audit;

/// <summary>
/// The audit burst command (issue 15 item 2): a burst of new events for ONE tenant waits in the Local mode
/// <c>audit</c> queue (as a SCIM bulk provisioning would fill the subscription), then N real handlers in Local mode
/// (HandlerApp, its LocalDispatcher and WriteAudit, one Azurite) drain it. Once with one message per invocation
/// (<c>maxMessageBatchSize</c> 1: what WriteAudit did before batches), once with the batches the host sends
/// (<c>maxMessageBatchSize</c> 500). Prints a markdown table: drain time (handlers' start-up included, until the
/// queue is empty), rows/s, every row there once, chain verified.
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- audit-burst [events] [handlers]</c> (default 3,000 events, 4 handlers).
/// </summary>
internal static class AuditBurstLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3_000;
        var handlers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        await using var azurite = await AzuriteProcess.StartAsync(new AzuriteSettings(
            RepositoryRoot.Find(), null, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
        var pseudonymKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var failed = false;
        Console.WriteLine("| delivery | handlers | events | drained in s | rows/s | rows (each once) | chain verified |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var batchSize in new[] { 1, 500 })
        {
            var run = await RunOnceAsync(azurite.ConnectionString, pseudonymKey, events, handlers, batchSize);
            failed |= !run.Verified || run.Rows != events;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(batchSize == 1 ? "one message per invocation" : $"batches of up to {batchSize}")} | {handlers} | {events:N0} | {run.Seconds:F1} | {events / run.Seconds:N0} | {run.Rows:N0} ({(run.Rows == events ? "yes" : "NO")}) | {(run.Verified ? "yes" : "NO")} |"));
        }

        return failed ? 1 : 0;
    }

    private sealed record Run(double Seconds, int Rows, bool Verified);

    private static async Task<Run> RunOnceAsync(string connectionString, string pseudonymKey, int events, int handlers, int batchSize)
    {
        var topic = $"burst-{batchSize}-{Guid.NewGuid():N}"[..24];
        var tenant = $"burst{batchSize}";
        var queue = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None })
            .GetQueueClient(new LocalSubscriptions(topic).AuditQueue);
        await queue.CreateIfNotExistsAsync();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, events), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            var pipelineEvent = new PipelineEvent(
                EventIds.Derive("mindtickle", tenant, $"k-{i}"), "mindtickle", tenant, "user.created", $"k-{i}", now.AddMilliseconds(i), false,
                JsonSerializer.SerializeToElement(new { id = $"k-{i}", userName = $"user{i}@example.com" }));
            var message = new BusMessage(pipelineEvent.EventId, pipelineEvent.EventId, "application/json", EventSerializer.Serialize(pipelineEvent), new Dictionary<string, object>());
            await queue.SendMessageAsync(LocalQueueEnvelope.From(message, now).ToJson(), cancellationToken);
        });

        var apps = Enumerable.Range(0, handlers).Select(_ => Handler(connectionString, pseudonymKey, topic, tenant, batchSize)).ToList();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(apps.Select(a => a.StartAsync()));
        var table = new TableServiceClient(connectionString).GetTableClient(AuditTableWriter.TableName);
        var partition = Pipeline.Core.Audit.AuditEntry.PartitionFor(tenant, now);
        // Drained when the queue holds nothing, in flight included (a message is deleted only once its rows are
        // written); a cheap property read, where counting the rows every time would load Azurite's table engine.
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0 && clock.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(250);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var app in apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        var (verified, chainBreak) = await new AuditChainVerifier(new TableServiceClient(connectionString), AuditChain.DeriveKey(pseudonymKey)).VerifyPartitionAsync(partition);
        return new Run(seconds, await CountAsync(table, partition), chainBreak is null && verified == events);
    }

    private static async Task<int> CountAsync(TableClient table, string partition)
    {
        var count = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {AuditChain.HeadRowKey}"), select: ["RowKey"]))
            {
                count++;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No audit table yet.
        }

        return count;
    }

    private static WebApplication Handler(string connectionString, string pseudonymKey, string topic, string tenant, int batchSize) =>
        LocalHandler.Build(new Dictionary<string, string?>
        {
            ["Pipeline:Storage:ConnectionString"] = connectionString,
            ["Pipeline:ServiceBus:TopicName"] = topic,
            ["Pipeline:Audit:PseudonymKey"] = pseudonymKey,
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:0"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["AzureFunctionsJobHost:extensions:serviceBus:maxMessageBatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
        });
}
