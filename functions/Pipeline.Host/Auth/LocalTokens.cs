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

    /// <summary>The longest a Local mode token may live (issued-to-expiry); the CLI mints within it.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(8);

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

    /// <summary>
    /// The usual lifetime checks, and a Local mode token must carry both ends of its lifetime no more
    /// than <see cref="MaxLifetime"/> apart: a leaked token must not be good for years.
    /// </summary>
    public static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        // The library's own checks call this delegate when it is set: run them without it.
        var plain = parameters.Clone();
        plain.LifetimeValidator = null;
        Validators.ValidateLifetime(notBefore, expires, token, plain);
        return notBefore is { } from && expires is { } to && to - from <= MaxLifetime;
    }

    /// <summary>The caller's object id, from the <c>oid</c> claim.</summary>
    public static string? ObjectId(this ClaimsPrincipal caller) => caller.FindFirst("oid")?.Value;
}
