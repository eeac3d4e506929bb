using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Pipeline.Azure.Webhooks;

namespace Pipeline.Benchmarks.Webhooks;

/// <summary>
/// A <see cref="SeenEventStore"/> over a table that answers at once and keeps nothing: every claim is
/// new and every mark (a transaction of many, or a single merge) succeeds. The unique-event run uses it
/// to time the handler without storage; the store's own logic (the in-process memory of published events
/// included) and the background writer of the marks run as in production.
/// </summary>
internal static class NoOpSeenEvents
{
    public static SeenEventStore Create(TimeProvider timeProvider) => new(new Service(), timeProvider);

    private sealed class Service : TableServiceClient
    {
        private readonly Table _table = new();

        public override TableClient GetTableClient(string tableName) => _table;
    }

    private sealed class Table : TableClient
    {
        private static readonly Response Ok = new EmptyResponse(204);

        public override Task<Response<TableItem>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(Response.FromValue(TableModelFactory.TableItem(SeenEventStore.TableName), Ok));

        public override Task<Response> AddEntityAsync<T>(T entity, CancellationToken cancellationToken = default) => Task.FromResult(Ok);

        public override Task<Response> UpdateEntityAsync<T>(T entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
            Task.FromResult(Ok);

        // The published marks, many per entity-group transaction: one answer per action, as the service gives.
        public override Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default) =>
            Task.FromResult(Response.FromValue<IReadOnlyList<Response>>([.. transactionActions.Select(_ => Ok)], Ok));
    }

    private sealed class EmptyResponse(int status) : Response
    {
        public override int Status => status;

        public override string ReasonPhrase => "";

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = "";

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, out string value)
        {
            value = "";
            return false;
        }

        protected override bool TryGetHeaderValues(string name, out IEnumerable<string> values)
        {
            values = [];
            return false;
        }
    }
}
