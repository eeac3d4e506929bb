using Azure.Data.Tables;
using Azure.Storage.Queues;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Tests.Local;

/// <summary>Local mode's Azurite keeps what it acknowledged across a stop, as real storage does.</summary>
public sealed class AzuriteProcessTests
{
    [Fact]
    public async Task DisposeAsync_WithDataOnDisk_KeepsWritesAcknowledgedJustBefore()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("azurite-graceful-");
        try
        {
            var settings = new AzuriteSettings(RepositoryRoot.Find(), folder.FullName, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort());
            var first = await AzuriteProcess.StartAsync(settings, cancellationToken: cancellation);
            var queue = new QueueClient(first.ConnectionString, "graceful");
            await queue.CreateAsync(cancellationToken: cancellation);
            await queue.SendMessageAsync("kept", cancellation);
            var table = new TableClient(first.ConnectionString, "Graceful");
            await table.CreateAsync(cancellation);
            await table.AddEntityAsync(new TableEntity("p", "r") { ["Value"] = "kept" }, cancellation);

            // Well inside LokiJS's five-second autosave: only a stop that lets Azurite save keeps these.
            await first.DisposeAsync();
            await using var second = await AzuriteProcess.StartAsync(settings, cancellationToken: cancellation);

            var peeked = await new QueueClient(second.ConnectionString, "graceful").PeekMessagesAsync(cancellationToken: cancellation);
            Assert.Equal("kept", Assert.Single(peeked.Value).Body.ToString());
            var row = await new TableClient(second.ConnectionString, "Graceful").GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: cancellation);
            Assert.Equal("kept", row.Value?.GetString("Value"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
