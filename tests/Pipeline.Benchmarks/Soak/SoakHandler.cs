using System.Diagnostics;
using System.Security.Cryptography;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Soak;

/// <summary>The real handler as a child process, in Local mode, on a fixed port across restarts.</summary>
internal sealed class SoakHandler(string connectionString, string work)
{
    public static readonly string LocalSigningKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    public static readonly string PseudonymKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private readonly int _port = AzuriteProcess.FreePort();
    private Process? _process;

    public string Tenant { get; } = "soak";

    public string Topic { get; } = $"soak-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal)
    {
        ["mindtickle"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        ["twinmind"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        ["standard"] = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    public int Kills { get; private set; }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Pipeline.Host"), ["--urls", BaseAddress.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        var environment = start.Environment;
        environment["Pipeline__Mode"] = "Local";
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Pipeline__Storage__ConnectionString"] = connectionString;
        environment["Pipeline__ServiceBus__TopicName"] = Topic;
        environment["ServiceBusTopicName"] = Topic;
        environment["Pipeline__Auth__LocalSigningKey"] = LocalSigningKey;
        environment["Pipeline__Audit__PseudonymKey"] = PseudonymKey;
        environment["Pipeline__KeyVault__LocalKeyFile"] = Path.Combine(work, "kek.json");
        environment["Pipeline__Webhooks__RateLimit__PermitsPerSecond"] = "100000";
        environment["Pipeline__Webhooks__RateLimit__Burst"] = "100000";
        environment[$"Pipeline__Tenants__{Tenant}__Vendors__mindtickle__Scopes__0"] = "scim:write";
        foreach (var (vendor, secret) in Secrets)
        {
            environment[$"Pipeline__Tenants__{Tenant}__Vendors__{vendor}__Secrets__0"] = secret;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("The handler did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = BaseAddress };
        for (var i = 0; i < 600; i++)
        {
            try
            {
                using var health = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The handler did not become healthy.");
    }

    /// <summary>SIGKILL on Unix: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
            Kills++;
        }
    }
}
