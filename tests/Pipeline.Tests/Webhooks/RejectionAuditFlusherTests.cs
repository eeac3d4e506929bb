using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Azure.Audit;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Webhooks;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>The rejection counts' writes on Azurite when storage fails in the worst place: after committing.</summary>
public sealed class RejectionAuditFlusherTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Flush_WriteTimesOutAfterStorageCommittedIt_NextFlushCountsItOnce()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..12];
        var minute = new DateTimeOffset(2026, 12, 2, 10, 15, 0, TimeSpan.Zero);
        var tally = new RejectionTally();
        for (var i = 0; i < 5; i++)
        {
            tally.Record(tenant, "mindtickle", IngressRejection.BadSignature, "203.0.113.0/24", minute);
        }

        var options = new TableClientOptions();
        var lostAnswer = new AnswerLostAfterFirstTransaction();
        options.AddPolicy(lostAnswer, HttpPipelinePosition.PerCall);
        var writer = AuditTableWriter.ForPseudonymKey(new TableServiceClient(azurite.ConnectionString, options), TestHost.PseudonymKey);
        var flusher = new RejectionAuditFlusher(tally, writer, TimeProvider.System, NullLogger<RejectionAuditFlusher>.Instance);

        await flusher.FlushAsync(DateTimeOffset.MaxValue, TestContext.Current.CancellationToken);
        Assert.True(lostAnswer.Lost);
        tally.Record(tenant, "mindtickle", IngressRejection.BadSignature, "203.0.113.0/24", minute);
        await flusher.FlushAsync(DateTimeOffset.MaxValue, TestContext.Current.CancellationToken);

        var rows = (await AuditRows.ForTenantAsync(azurite, tenant)).Where(r => r.GetString("Action") == RejectionTally.Action).ToList();
        // The lost answer's row once (5) and the new flush's own row (1): six rejections, six counted.
        Assert.Equal(2, rows.Count);
        Assert.Equal(6, rows.Sum(r => long.Parse(r.GetString("Detail_count"), CultureInfo.InvariantCulture)));
    }

    /// <summary>The first entity-group transaction reaches storage and commits, but its answer never arrives (a timeout).</summary>
    private sealed class AnswerLostAfterFirstTransaction : HttpPipelinePolicy
    {
        private int _transactions;

        public bool Lost => Volatile.Read(ref _transactions) > 0;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The writer only calls storage asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Increment(ref _transactions) == 1)
            {
                throw new TaskCanceledException("The answer was lost (test).");
            }
        }
    }
}
