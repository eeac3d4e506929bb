using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;

namespace Pipeline.Azure.Transcripts;

/// <summary>
/// The keys the transcript table and its subject index share. Both partition by tenant first
/// (<c>{tenant}_{key}</c>), so one tenant's rows are one key range and no query ever crosses tenants.
/// </summary>
internal static class TranscriptKeys
{
    /// <summary>A partition of <paramref name="tenant"/>: the tenant, an underscore, then the key.</summary>
    public static string TenantPartition(string tenant, string key) => $"{tenant}_{key}";

    /// <summary>A filter for every partition of <paramref name="tenant"/> (keys are hex or base64url, all below '~').</summary>
    public static string TenantPartitionsFilter(string tenant) =>
        TableClient.CreateQueryFilter($"PartitionKey gt {tenant + "_"} and PartitionKey lt {tenant + "_~"}");

    /// <summary>A transcript id as a key: a hash, since vendor ids may hold any character.</summary>
    public static string IdKey(string transcriptId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transcriptId)).AsSpan(0, 16));
}
