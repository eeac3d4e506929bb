using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Host;

namespace Pipeline.Benchmarks;

/// <summary>
/// The real handler in Local mode, as every load command runs it: a free loopback port, logging at Warning (a
/// line per request would measure the console), a fresh signing key, then the command's own settings and services.
/// </summary>
internal static class LocalHandler
{
    public static WebApplication Build(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null) =>
        HandlerApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:Mode"] = "Local",
                ["Logging:LogLevel:Default"] = "Warning", // HandlerApp adds the console logger after this callback.
                ["Pipeline:Auth:LocalSigningKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            });
            builder.Configuration.AddInMemoryCollection(settings);
            services?.Invoke(builder.Services);
        });
}
