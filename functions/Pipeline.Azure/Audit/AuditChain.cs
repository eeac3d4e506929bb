using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;

namespace Pipeline.Azure.Audit;

/// <summary>
/// Tamper evidence for audit rows (issue 5 item 4). Each row of a partition carries its sequence
/// number in the partition (<c>ChainSeq</c>), the MAC of the previous row (<c>ChainPrev</c>) and its
/// own MAC (<c>ChainHash</c>) over all its properties. A head row per partition holds the last
/// sequence number and MAC; writers advance it with an ETag-conditioned update in the same
/// entity-group transaction as the rows, so concurrent writers never fork the chain and a
/// redelivered row (409) leaves it untouched. The MAC is keyed (HKDF of the pseudonym key), so
/// whoever can edit the table cannot recompute the chain.
/// </summary>
public static class AuditChain
{
    /// <summary>RowKey of the partition's head row; <c>~</c> sorts after every time-ordered RowKey.</summary>
    public const string HeadRowKey = "~chain";

    /// <summary>Sequence number of a row in its partition, from 1.</summary>
    public const string Seq = "ChainSeq";

    /// <summary>MAC of the previous row (empty for the first).</summary>
    public const string Prev = "ChainPrev";

    /// <summary>MAC of this row.</summary>
    public const string Hash = "ChainHash";

    private static readonly HashSet<string> Excluded = new(["odata.etag", "Timestamp", Hash], StringComparer.Ordinal);

    /// <summary>
    /// The chain key derived from the pseudonym key (no second secret to provision or rotate). Without a pseudonym
    /// key there is no chain key: one derived from an empty string is one anyone can compute.
    /// </summary>
    public static byte[] DeriveKey(string? pseudonymKey) => string.IsNullOrEmpty(pseudonymKey)
        ? throw new InvalidOperationException("Pipeline:Audit:PseudonymKey is not configured; the audit chain key derives from it.")
        : HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(pseudonymKey), 32, info: "pipeline-audit-chain-v1"u8.ToArray());

    /// <summary>Sets the chain properties of <paramref name="row"/> as the successor of (<paramref name="seq"/> - 1, <paramref name="prev"/>).</summary>
    public static string Link(byte[] key, TableEntity row, long seq, string prev)
    {
        row[Seq] = seq;
        row[Prev] = prev;
        var mac = Compute(key, row);
        row[Hash] = mac;
        return mac;
    }

    /// <summary>
    /// The MAC of a row: HMAC-SHA256 over every property but the MAC itself and the service's own
    /// (Timestamp, ETag), in ordinal name order, each as length-prefixed name, type and invariant text.
    /// </summary>
    public static string Compute(byte[] key, TableEntity row)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Append(hmac, "PartitionKey");
        Append(hmac, row.PartitionKey);
        Append(hmac, "RowKey");
        Append(hmac, row.RowKey);
        foreach (var (name, value) in row.Where(p => !Excluded.Contains(p.Key) && p.Key is not ("PartitionKey" or "RowKey")).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (value is null)
            {
                continue; // Table Storage does not store nulls: a null written reads back absent.
            }

            Append(hmac, name);
            var (type, text) = Canonical(value);
            Append(hmac, type);
            Append(hmac, text);
        }

        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    private static (string Type, string Text) Canonical(object value) => value switch
    {
        string s => ("s", s),
        DateTimeOffset d => ("d", d.UtcTicks.ToString(CultureInfo.InvariantCulture)),
        DateTime d => ("d", new DateTimeOffset(d.ToUniversalTime()).UtcTicks.ToString(CultureInfo.InvariantCulture)),
        long l => ("n", l.ToString(CultureInfo.InvariantCulture)),
        int i => ("i", i.ToString(CultureInfo.InvariantCulture)),
        bool b => ("b", b ? "1" : "0"),
        double x => ("f", x.ToString("R", CultureInfo.InvariantCulture)),
        Guid g => ("g", g.ToString("D")),
        byte[] bytes => ("x", Convert.ToHexStringLower(bytes)),
        _ => ("?", Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static void Append(IncrementalHash hmac, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(bytes);
    }
}
