using System.Reflection;
using Azure.Data.Tables;

namespace Pipeline.Azure.Storage;

/// <summary>
/// Table Storage's limits for an entity-group transaction, checked before it is sent: at most 100
/// entities, at most 4 MiB of request, one PartitionKey (Azurite does not enforce that one), each entity at
/// most 1 MiB (as stored, and as JSON, which Azurite measures) and each property at most 64 KiB. Breaking one is a bug in the caller, so it throws.
/// </summary>
internal static class EntityGroupTransaction
{
    public const int MaxActions = 100;
    public const long MaxRequestBytes = 4L * 1024 * 1024;
    public const long MaxEntityBytes = 1024L * 1024;
    public const int MaxPropertyBytes = 64 * 1024;

    // Per entity in the multipart request: its changeset headers, URL, and JSON punctuation.
    private const int RequestOverheadPerEntity = 1024;

    public static void EnsureValid(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxActions)
        {
            throw new InvalidOperationException($"An entity-group transaction holds 1 to {MaxActions} entities, not {actions.Count}.");
        }

        var partition = actions[0].Entity.PartitionKey;
        if (actions.Any(action => !string.Equals(action.Entity.PartitionKey, partition, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("An entity-group transaction must not span partitions.");
        }

        foreach (var action in actions)
        {
            // The service counts stored bytes; Azurite counts the JSON, where binary is base64. Both must fit.
            if (EntityBytes(action.Entity) > MaxEntityBytes || RequestBytes([action.Entity]) > MaxEntityBytes)
            {
                throw new InvalidOperationException("An entity exceeds 1 MiB.");
            }
        }

        if (RequestBytes(actions.Select(action => action.Entity)) > MaxRequestBytes)
        {
            throw new InvalidOperationException("An entity-group transaction exceeds 4 MiB.");
        }
    }

    /// <summary>Stored size as Table Storage counts it (4 + 2 per key char + per property 8 + 2 per name char + value).</summary>
    public static long EntityBytes(ITableEntity entity)
    {
        long size = 4 + (2L * (entity.PartitionKey.Length + entity.RowKey.Length));
        foreach (var (name, value) in Properties(entity).Where(property => property.Name is not ("PartitionKey" or "RowKey")))
        {
            size += 8 + (2L * name.Length) + ValueBytes(value);
        }

        return size;
    }

    /// <summary>An upper estimate of the JSON request: binary values travel as base64.</summary>
    public static long RequestBytes(IEnumerable<ITableEntity> entities)
    {
        long size = 0;
        foreach (var entity in entities)
        {
            size += RequestOverheadPerEntity + (2L * (entity.PartitionKey.Length + entity.RowKey.Length));
            foreach (var (name, value) in Properties(entity))
            {
                // Name, quotes, colon, comma, and an @odata.type annotation for typed values.
                size += (2L * name.Length) + 64 + value switch
                {
                    byte[] bytes => 4L * ((bytes.Length + 2) / 3),
                    BinaryData data => 4L * ((data.ToMemory().Length + 2) / 3),
                    string text => 6L * text.Length,
                    _ => 40,
                };
            }
        }

        return size;
    }

    /// <summary>
    /// The stored properties of a dictionary entity, or of a typed one (its public properties, as the SDK
    /// serialises them), keys included as the JSON carries them; timestamp and ETag are not sent, nor are nulls.
    /// </summary>
    private static IEnumerable<(string Name, object Value)> Properties(ITableEntity entity)
    {
        IEnumerable<(string Name, object? Value)> all = entity is TableEntity table
            ? table.Select(property => (property.Key, (object?)property.Value))
            : entity.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(property => property.CanRead && property.GetIndexParameters().Length == 0)
                .Select(property => (property.Name, property.GetValue(entity)));
        foreach (var (name, value) in all)
        {
            if (value is not null && name is not ("Timestamp" or "ETag" or "odata.etag"))
            {
                yield return (name, value);
            }
        }
    }

    private static long ValueBytes(object? value) => value switch
    {
        byte[] bytes => CheckProperty(bytes.Length) + 4,
        BinaryData data => CheckProperty(data.ToMemory().Length) + 4,
        string text => CheckProperty(2 * text.Length) + 4,
        bool => 1,
        int => 4,
        Guid => 16,
        _ => 8,
    };

    private static long CheckProperty(int length) => length <= MaxPropertyBytes
        ? length
        : throw new InvalidOperationException("A property exceeds 64 KiB.");
}
