using System.Net;

namespace Pipeline.Host.Invocations;

/// <summary>
/// Who may invoke a trigger function over HTTP. What the Functions host does (Azure/azure-functions-host,
/// <c>DefaultHttpWorkerService</c>): it starts the handler with <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and
/// calls <c>http://127.0.0.1:{port}/{FunctionName}</c>, adding <c>X-Azure-Functions-InvocationId</c>
/// (a GUID), <c>X-Azure-Functions-HostVersion</c> and <c>User-Agent: Azure-Functions-Host/{version}</c>.
/// A proxied HTTP request keeps its original path, always under the route prefix <c>/api</c>, so it can
/// never match <c>/{FunctionName}</c>; it also carries every header the client sent plus the host's, so
/// a client-set invocation id arrives as a second value. The host shares no secret with the handler, so
/// these checks stop a proxied request and a careless local caller, not a local process that forges the
/// whole shape: that one is kept out by the handler listening on loopback only, in a sandbox running
/// nothing else (and, in Local mode, by there being no invocation route at all).
/// </summary>
internal static class FunctionsHostCaller
{
    private const string InvocationIdHeader = "X-Azure-Functions-InvocationId";
    private const string UserAgentPrefix = "Azure-Functions-Host/";

    /// <summary>True when the Functions host started this process (it sets the port variable).</summary>
    public static bool IsUnderFunctionsHost(IConfiguration configuration) =>
        configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is { Length: > 0 };

    /// <summary>A request shaped exactly like the host's invocation of a non-HTTP function.</summary>
    public static bool IsHostInvocation(HttpRequest request)
    {
        var remote = request.HttpContext.Connection.RemoteIpAddress;
        return remote is not null && IPAddress.IsLoopback(remote)
            && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && request.Headers[InvocationIdHeader] is [{ } invocationId] && Guid.TryParse(invocationId, out _)
            && request.Headers.UserAgent is [{ } userAgent] && userAgent.StartsWith(UserAgentPrefix, StringComparison.Ordinal)
            && !request.Headers.ContainsKey("X-Forwarded-For")
            && !request.Headers.ContainsKey("X-Original-URL");
    }
}
