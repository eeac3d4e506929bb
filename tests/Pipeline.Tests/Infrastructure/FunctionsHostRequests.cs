using System.Text;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Requests as the Functions host sends them to a custom handler (Azure/azure-functions-host,
/// DefaultHttpWorkerService.AddHeaders), and the setting that tells the handler it runs under the host.
/// </summary>
internal static class FunctionsHostRequests
{
    /// <summary>The host starts the handler with this variable; with it the invocation routes are mapped.</summary>
    public static Dictionary<string, string?> UnderHost(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0";
        return settings;
    }

    /// <summary><c>POST /{function}</c> with the host's headers.</summary>
    public static HttpRequestMessage Invocation(string function, string payload)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/{function}", UriKind.Relative))
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("X-Azure-Functions-HostVersion", "4.1036.1.23224");
        request.Headers.TryAddWithoutValidation("User-Agent", "Azure-Functions-Host/4.1036.1.23224");
        return request;
    }
}
