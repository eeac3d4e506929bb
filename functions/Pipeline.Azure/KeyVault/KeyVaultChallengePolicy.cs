using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pipeline.Azure.KeyVault;

/// <summary>
/// Key Vault's challenge-based bearer authentication: the first request goes out without a token (and
/// without its body); the vault's 401 <c>WWW-Authenticate: Bearer authorization="…", resource="…"</c>
/// (or <c>scope="…"</c>) names the scope and tenant, and the request is sent again with a token for them.
/// The scope learned is kept for every later request.
/// </summary>
internal sealed partial class KeyVaultChallengePolicy(TokenCredential credential, bool verifyResource)
    : BearerTokenAuthenticationPolicy(credential, [])
{
    private const string StashedContent = "Pipeline.KeyVault.StashedContent";
    private TokenRequestContext? _context;

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message)
    {
        if (_context is { } context)
        {
            return AuthenticateAndAuthorizeRequestAsync(message, context);
        }

        StashContent(message);
        return ValueTask.CompletedTask;
    }

    protected override void AuthorizeRequest(HttpMessage message)
    {
        if (_context is { } context)
        {
            AuthenticateAndAuthorizeRequest(message, context);
            return;
        }

        StashContent(message);
    }

    protected override async ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message)
    {
        if (ReadChallenge(message) is not { } context)
        {
            return false;
        }

        await AuthenticateAndAuthorizeRequestAsync(message, context).ConfigureAwait(false);
        return true;
    }

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message)
    {
        if (ReadChallenge(message) is not { } context)
        {
            return false;
        }

        AuthenticateAndAuthorizeRequest(message, context);
        return true;
    }

    private static void StashContent(HttpMessage message)
    {
        // Nothing is sent to the vault before it has said who it trusts.
        if (message.Request.Content is { } content)
        {
            message.SetProperty(StashedContent, content);
            message.Request.Content = null;
        }
    }

    private TokenRequestContext? ReadChallenge(HttpMessage message)
    {
        var response = message.Response;
        var scope = Parameter(response, "scope");
        if (string.IsNullOrEmpty(scope)
            && Parameter(response, "resource") is { Length: > 0 } resource)
        {
            scope = resource.TrimEnd('/') + "/.default";
        }

        if (string.IsNullOrEmpty(scope) || !Uri.TryCreate(scope, UriKind.Absolute, out var scopeUri))
        {
            return null;
        }

        if (verifyResource && !IsParentDomain(scopeUri.Host, message.Request.Uri.Host ?? ""))
        {
            throw new InvalidOperationException(
                $"The Key Vault challenge names resource '{scopeUri.Host}', which does not match the vault's domain. Set DisableChallengeResourceVerification only for a vault you trust.");
        }

        var authorization = Parameter(response, "authorization");
        if (string.IsNullOrEmpty(authorization))
        {
            authorization = Parameter(response, "authorization_uri");
        }

        var tenantId = Uri.TryCreate(authorization, UriKind.Absolute, out var authority)
            ? authority.AbsolutePath.Trim('/').Split('/')[0]
            : null;

        if (message.TryGetProperty(StashedContent, out var stashed) && stashed is RequestContent content)
        {
            message.Request.Content = content;
        }

        var context = new TokenRequestContext([scope], tenantId: string.IsNullOrEmpty(tenantId) ? null : tenantId);
        _context = context;
        return context;
    }

    /// <summary>A parameter of the response's <c>Bearer</c> challenge, e.g. <c>resource</c>.</summary>
    private static string? Parameter(Response response, string name)
    {
        if (!response.Headers.TryGetValue("WWW-Authenticate", out var header))
        {
            return null;
        }

        var bearer = header.IndexOf("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (bearer < 0)
        {
            return null;
        }

        foreach (Match match in ChallengeParameter().Matches(header[(bearer + 7)..]))
        {
            if (match.Groups["name"].Value.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return match.Groups["value"].Value;
            }
        }

        return null;
    }

    [GeneratedRegex("(?<name>[A-Za-z_]+)\\s*=\\s*\"(?<value>[^\"]*)\"")]
    private static partial Regex ChallengeParameter();

    private static bool IsParentDomain(string resourceHost, string requestHost) =>
        requestHost.Equals(resourceHost, StringComparison.OrdinalIgnoreCase)
        || requestHost.EndsWith("." + resourceHost, StringComparison.OrdinalIgnoreCase);
}
