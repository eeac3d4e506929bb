using Azure.Data.Tables;
using Azure.Storage.Queues;
using Pipeline.Azure.Audit;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;
using Pipeline.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the whole test run, on free ports and in memory, so it never collides with a
/// developer's own Azurite. Started by the tests themselves (npm-installed on first use).
/// Tests keep apart by using their own tenant ids and topic names.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not started.");

    public TableServiceClient TableService => new(ConnectionString);

    public QueueServiceClient QueueService => new(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    /// <summary>An audit writer chaining with the same key as every <see cref="TestHost"/>.</summary>
    public AuditTableWriter AuditWriter() => AuditTableWriter.ForPseudonymKey(TableService, TestHost.PseudonymKey);

    public async ValueTask InitializeAsync()
    {
        var settings = new AzuriteSettings(
            RepositoryRoot.Find(),
            DataFolder: null,
            BlobPort: AzuriteProcess.FreePort(),
            QueuePort: AzuriteProcess.FreePort(),
            TablePort: AzuriteProcess.FreePort());
        _azurite = await AzuriteProcess.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
