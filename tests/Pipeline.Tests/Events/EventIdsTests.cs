using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.Events;

namespace Pipeline.Tests.Events;

/// <summary>
/// Event ids are stored (audit rows, claims, transcripts) and redeliveries must map to the same one, so
/// the derivation may get faster but never different: each case is checked against the formula itself.
/// </summary>
public sealed class EventIdsTests
{
    [Theory]
    [InlineData("mindtickle", "acme", "evt-0001")]
    [InlineData("MindTickle", "ACME", "Evt-0001")] // vendor and tenant are lowered, the key is not
    [InlineData("twinmind", "tenant-ß", "schlüssel-Ünicode")]
    [InlineData("stripe", "İstanbul", "k")] // non-ASCII lowering
    [InlineData("github", "acme", "")]
    public void Derive_IsSha256OfTheJoinedLowercasedText(string vendor, string tenant, string key) =>
        Assert.Equal(Reference(vendor, tenant, key), EventIds.Derive(vendor, tenant, key));

    [Fact]
    public void Derive_LongKey_SameAsTheFormula()
    {
        // Beyond the stack buffer: the pooled path.
        var key = new string('k', 5_000) + "é";

        Assert.Equal(Reference("twinmind", "acme", key), EventIds.Derive("twinmind", "acme", key));
    }

    private static string Reference(string vendor, string tenant, string key)
    {
        var text = string.Join('\0', vendor.ToLowerInvariant(), tenant.ToLowerInvariant(), key);
        return "evt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16]);
    }
}
