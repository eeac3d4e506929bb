using Azure.Data.Tables;

namespace Pipeline.Azure.Storage;

/// <summary>
/// Creates a store's tables once per process, on first use. A failed or cancelled attempt is
/// forgotten, so the next call tries again instead of failing forever.
/// </summary>
internal sealed class TableCreation(params TableClient[] tables)
{
    private Task? _created;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        var created = _created ??= Task.WhenAll(tables.Select(table => table.CreateIfNotExistsAsync(cancellationToken)));
        if (created.IsFaulted || created.IsCanceled)
        {
            _created = null;
        }

        return created;
    }

    /// <summary>The tables are gone (storage lost them): the next <see cref="EnsureAsync"/> creates them again.</summary>
    public void Forget() => _created = null;
}
