using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Pipeline.Core.Configuration;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Auth;

internal static class AuthRegistration
{
    private const string SuppressAutoDefaultScheme = "Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme";

    /// <summary>
    /// JWT bearer for every route but webhooks and health (SPEC §3.3): Entra ID in Azure mode, HS256
    /// local tokens in Local mode. Roles come from the <c>roles</c> claim; one policy per role, which
    /// <c>Admin</c> also satisfies. No default scheme: the authentication middleware then authenticates
    /// nothing, and a token is read only by the policy of an endpoint that requires a caller. A webhook
    /// (judged by its signature alone) no longer pays for a JWT handler per request, and an
    /// <c>Authorization</c> header on it is never read.
    /// </summary>
    public static WebApplicationBuilder AddCallerAuth(this WebApplicationBuilder builder)
    {
        // The JWT handler is configured before the container exists, so it reads the section itself; the
        // registered options are what start-up validates.
        var auth = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        var local = builder.Configuration.PipelineMode() == PipelineMode.Local;
        builder.Services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(AuthOptions.SectionName);

        // Otherwise ASP.NET Core makes the one registered scheme the default all the same (process-wide; the
        // handler registers no other scheme, and every policy below names its own).
        AppContext.SetSwitch(SuppressAutoDefaultScheme, isEnabled: true);
        builder.Services.AddAuthentication().AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.RoleClaimType = "roles";
            jwt.TokenValidationParameters.NameClaimType = "oid";
            jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            if (local)
            {
                jwt.TokenValidationParameters.ValidIssuer = LocalTokens.Issuer;
                jwt.TokenValidationParameters.ValidAudience = LocalTokens.Audience;
                jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                jwt.TokenValidationParameters.LifetimeValidator = LocalTokens.ValidateLifetime;

                // Every access is audited with the caller's oid: a token without one is no caller.
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        if (string.IsNullOrWhiteSpace(context.Principal?.ObjectId()))
                        {
                            context.Fail("The token has no oid claim.");
                        }

                        return Task.CompletedTask;
                    },
                };
                // An absent key (validation fails start-up then) must not become an empty, forgeable one.
                jwt.TokenValidationParameters.IssuerSigningKey = LocalTokens.SigningKey(
                    string.IsNullOrEmpty(auth.LocalSigningKey) ? Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) : auth.LocalSigningKey);
            }
            else
            {
                jwt.Authority = auth.Authority;
                // The client id and api://{client id}: v2.0 tokens carry the former whichever was configured.
                jwt.TokenValidationParameters.ValidAudiences = EntraAudiences.For(auth.Audience);
            }
        });
        var policies = builder.Services.AddAuthorizationBuilder();
        foreach (var role in CallerRoles.All)
        {
            policies.AddPolicy(role, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(role, CallerRoles.Admin));
        }

        return builder;
    }

    /// <summary>
    /// Requires the role and access to the route's <c>{tenant}</c>: 401 without a valid token,
    /// 403 without the role or the tenant.
    /// </summary>
    public static RouteHandlerBuilder RequireCaller(this RouteHandlerBuilder endpoint, string role) =>
        endpoint.RequireAuthorization(role).AddEndpointFilter(async (context, next) =>
        {
            var tenant = context.HttpContext.GetRouteValue("tenant") as string ?? "";
            var options = context.HttpContext.RequestServices.GetRequiredService<PipelineOptions>();
            return TenantAccess.IsAllowed(context.HttpContext.User, tenant, options)
                ? await next(context)
                : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The caller may not access this tenant.", type: "urn:pipeline:problem:auth:tenant-not-granted");
        });
}
