using System.Net;
using Pipeline.Core.Audit;
using Pipeline.Core.Webhooks;

namespace Pipeline.Tests.Webhooks;

public sealed class RejectionTallyTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 22, 10, 15, 0, TimeSpan.Zero);

    [Fact]
    public void Drain_ManyRejectionsInOneMinute_IsOneCount()
    {
        var tally = new RejectionTally();
        for (var i = 0; i < 1000; i++)
        {
            tally.Record("acme", "mindtickle", IngressRejection.BadSignature, "198.51.100.0/24", Minute.AddMilliseconds(i * 50));
        }

        var count = Assert.Single(tally.Drain(Minute.AddMinutes(1)));

        Assert.Equal(("acme", "mindtickle", IngressRejection.BadSignature, Minute, 1000L), (count.Tenant, count.Vendor, count.Reason, count.Minute, count.Count));
        Assert.Equal(["198.51.100.0/24"], count.Sources);
        Assert.Empty(tally.Drain(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void Drain_SeparatesTenantsReasonsAndMinutes()
    {
        var tally = new RejectionTally();
        tally.Record("acme", "mindtickle", IngressRejection.BadSignature, "a", Minute);
        tally.Record("acme", "mindtickle", IngressRejection.StaleTimestamp, "a", Minute);
        tally.Record("globex", "mindtickle", IngressRejection.BadSignature, "a", Minute);
        tally.Record("acme", "mindtickle", IngressRejection.BadSignature, "a", Minute.AddMinutes(1));

        Assert.Equal(3, tally.Drain(Minute.AddMinutes(1)).Count);
        Assert.Single(tally.Drain(Minute.AddMinutes(2)));
    }

    [Fact]
    public void Drain_MinuteNotEnded_KeepsIt()
    {
        var tally = new RejectionTally();
        tally.Record("acme", "twinmind", IngressRejection.MalformedJson, "a", Minute.AddSeconds(30));

        Assert.Empty(tally.Drain(Minute.AddSeconds(59)));
        Assert.Single(tally.Drain(Minute.AddSeconds(60)));
    }

    [Fact]
    public void Record_ManySourceNetworks_KeepsABoundedList()
    {
        var tally = new RejectionTally();
        for (var i = 0; i < 100; i++)
        {
            tally.Record("acme", "standard", IngressRejection.BadSignature, $"10.0.{i}.0/24", Minute);
        }

        var count = Assert.Single(tally.Drain(DateTimeOffset.MaxValue));

        Assert.Equal(RejectionTally.MaxSources, count.Sources.Count);
        Assert.Equal(100 - RejectionTally.MaxSources, count.SourcesOmitted);
        Assert.Equal(100, count.Count);
    }

    [Fact]
    public void ToAuditEntry_NamesReasonVendorAndCount_KeyUniquePerInstance()
    {
        var count = new RejectionCount("acme", "twinmind", IngressRejection.SchemaInvalid, Minute, 7, ["192.0.2.0/24"], 0);

        var entry = count.ToAuditEntry("abcd1234");
        var other = count.ToAuditEntry("ffff0000");

        Assert.Equal(RejectionTally.Action, entry.Action);
        Assert.Equal("failure", entry.Outcome);
        Assert.Equal("7", entry.Details["count"]);
        Assert.Equal("schema-invalid", entry.Details["reason"]);
        Assert.Equal("192.0.2.0/24", entry.Details["sources"]);
        Assert.Equal(entry.PartitionKey, other.PartitionKey);
        Assert.NotEqual(entry.RowKey, other.RowKey);
        Assert.DoesNotContain('/', entry.RowKey);
    }

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0/24")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48")]
    [InlineData("::1", "::/48")]
    public void Truncate_Address_KeepsOnlyTheNetwork(string address, string expected)
    {
        Assert.Equal(expected, SourceNetworks.Truncate(IPAddress.Parse(address)));
    }

    [Fact]
    public void Truncate_NoAddress_IsUnknown() => Assert.Equal("unknown", SourceNetworks.Truncate(null));

    [Fact]
    public void Duplicates_CountedApartFromRejections_BecomeDuplicateRows()
    {
        var tally = new RejectionTally();
        tally.Record("acme", "twinmind", IngressRejection.BadSignature, "192.0.2.0/24", Minute);
        tally.RecordDuplicate("acme", "twinmind", "192.0.2.0/24", Minute.AddSeconds(5));
        tally.RecordDuplicate("acme", "twinmind", "198.51.100.0/24", Minute.AddSeconds(9));

        var counts = tally.DrainStarted(DateTimeOffset.MaxValue);

        var duplicate = Assert.Single(counts, c => c.Reason is null);
        Assert.Equal((2L, 2), (duplicate.Count, duplicate.Sources.Count));
        var entry = duplicate.ToAuditEntry("i1");
        Assert.Equal((RejectionTally.DuplicateAction, "success", "duplicate", "2"), (entry.Action, entry.Outcome, entry.Details["reason"], entry.Details["count"]));
        Assert.Equal(RejectionTally.Action, Assert.Single(counts, c => c.Reason is not null).ToAuditEntry("i1").Action);
    }
}
