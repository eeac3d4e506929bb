namespace Pipeline.Host.Auth;

/// <summary>
/// The audiences an Entra ID token for the API may carry. An app registration is named two ways: its
/// client id (a GUID) and its application id URI (<c>api://{client id}</c> as the README creates it).
/// v2.0 access tokens, which the README's registration issues (<c>requestedAccessTokenVersion = 2</c>), always
/// carry the client id as <c>aud</c>; v1.0 tokens carry the URI the client asked for. Both name the same
/// registration, so either configured form accepts both; any other audience (another app) is refused.
/// </summary>
internal static class EntraAudiences
{
    private const string ApiScheme = "api://";

    public static IReadOnlyList<string> For(string? configured)
    {
        var audience = configured?.Trim();
        if (string.IsNullOrEmpty(audience))
        {
            return [];
        }

        if (Guid.TryParse(audience, out var clientId))
        {
            return [clientId.ToString("D"), ApiScheme + clientId.ToString("D")];
        }

        if (audience.StartsWith(ApiScheme, StringComparison.OrdinalIgnoreCase) && Guid.TryParse(audience.AsSpan(ApiScheme.Length).TrimEnd('/'), out clientId))
        {
            return [audience, clientId.ToString("D")];
        }

        return [audience];
    }
}
