using System.Buffers.Text;
using System.Text;

namespace Pipeline.Cli.Keys;

/// <summary>
/// The <c>--resume</c> token <c>keys rewrap</c> prints: the table's continuation token bound to the tenant
/// filter of the run, so a mistyped token or one from a run over another tenant is refused instead of
/// silently starting somewhere else.
/// </summary>
internal static class RewrapResumeToken
{
    private const string Prefix = "rw1.";
    private const string AllTenants = "*";

    public static string Encode(string? tenant, string storageToken) =>
        Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(tenant ?? AllTenants)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(storageToken));

    /// <summary>The table's continuation token; null when the text is not a token of a run over <paramref name="tenant"/>.</summary>
    public static string? TryDecode(string? tenant, string text)
    {
        var parts = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..].Split('.') : [];
        if (parts.Length != 2)
        {
            return null;
        }

        try
        {
            var runTenant = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
            var storage = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
            return runTenant == (tenant ?? AllTenants) && storage.Length > 0 ? storage : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
