using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Pipeline.Azure.Storage;

/// <summary>
/// Builds the storage clients from <see cref="StorageOptions"/>: a connection string (Azurite) when
/// one is set, otherwise the service URIs with the app's managed identity.
/// </summary>
public static class StorageClients
{
    /// <summary>The table service the audit rows and transcripts live in.</summary>
    public static TableServiceClient CreateTableService(StorageOptions options, TokenCredential credential) =>
        options.ConnectionString is { Length: > 0 } connectionString
            ? new TableServiceClient(connectionString)
            : new TableServiceClient(
                options.TableServiceUri ?? throw new InvalidOperationException("Pipeline:Storage:TableServiceUri is not set."),
                credential);

    /// <summary>The queue service Local mode uses in place of the Service Bus subscriptions.</summary>
    public static QueueServiceClient CreateQueueService(StorageOptions options, TokenCredential credential)
    {
        // Plain text: the envelope is JSON with the body already base64, and a second base64 layer
        // would cost a third of Azurite's 64 KiB message limit.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        return options.ConnectionString is { Length: > 0 } connectionString
            ? new QueueServiceClient(connectionString, queueOptions)
            : new QueueServiceClient(
                options.QueueServiceUri ?? throw new InvalidOperationException("Pipeline:Storage:QueueServiceUri is not set."),
                credential,
                queueOptions);
    }
}
