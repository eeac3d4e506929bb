using System.Security.Claims;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Auth;

/// <summary>
/// Which tenants a caller may touch: <c>Pipeline:Access:Grants:{oid}</c> (tenant ids or <c>*</c>),
/// and in Local mode also the token's <c>tenants</c> claim. Never the claim in Azure mode: an Entra
/// token's claims are not ours to grant tenants with.
/// </summary>
internal static class TenantAccess
{
    public static bool IsAllowed(ClaimsPrincipal caller, string tenant, PipelineOptions options)
    {
        if (caller.ObjectId() is { } oid && options.Access.Grants.TryGetValue(oid, out var grants) && Grants(grants, tenant))
        {
            return true;
        }

        return options.Mode == PipelineMode.Local && Grants(caller.FindAll("tenants").Select(c => c.Value), tenant);
    }

    private static bool Grants(IEnumerable<string> grants, string tenant) =>
        grants.Any(g => g == "*" || string.Equals(g, tenant, StringComparison.OrdinalIgnoreCase));
}
