using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Pipeline.Host.Auth;

/// <summary>Local mode caller tokens (SPEC §3.3): HS256 with <c>Pipeline:Auth:LocalSigningKey</c>.</summary>
public static class LocalTokens
{
    public const string Issuer = "pipeline-local";
    public const string Audience = "api://pipeline";
    public const int MinimumKeyBytes = 32;

    public static SymmetricSecurityKey SigningKey(string localSigningKey) => new(Encoding.UTF8.GetBytes(localSigningKey));

    /// <summary>Mints a token for <paramref name="objectId"/> with the given roles and (Local mode only) tenants.</summary>
    public static string Mint(string localSigningKey, string objectId, IEnumerable<string> roles, IEnumerable<string> tenants, DateTimeOffset now, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            ["oid"] = objectId,
            ["roles"] = roles.ToArray(),
            ["tenants"] = tenants.ToArray(),
        };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey(localSigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The caller's object id, from the <c>oid</c> claim.</summary>
    public static string? ObjectId(this ClaimsPrincipal caller) => caller.FindFirst("oid")?.Value;
}
