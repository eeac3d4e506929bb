using System.Diagnostics;
using System.Net.Sockets;

namespace Pipeline.Host.Local;

/// <summary>
/// Azurite for Local mode and the tests: reuses one already listening on the ports, otherwise installs
/// the pinned npm package if it is missing and starts it (telemetry off). Disposing stops only what
/// this instance started.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's fixed development account key (public, the same on every machine).</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>How long a graceful stop may take before Azurite is killed.</summary>
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process? _process;

    private AzuriteProcess(AzuriteSettings settings, Process? process)
    {
        _process = process;
        Settings = settings;
    }

    /// <summary>Ports and data folder in use.</summary>
    public AzuriteSettings Settings { get; }

    /// <summary>True when an Azurite that was already running is used.</summary>
    public bool Reused => _process is null;

    /// <summary>A connection string with explicit endpoints for the ports in use.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{Settings.BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{Settings.QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{Settings.TablePort}/devstoreaccount1;";

    /// <summary>Starts (or reuses) Azurite and waits until its queue and table endpoints accept connections.</summary>
    public static async Task<AzuriteProcess> StartAsync(AzuriteSettings settings, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (await IsListeningAsync(settings.QueuePort, cancellationToken) && await IsListeningAsync(settings.TablePort, cancellationToken))
        {
            progress?.Invoke($"Azurite already listening on ports {settings.QueuePort} and {settings.TablePort}; reusing it.");
            return new AzuriteProcess(settings, null);
        }

        var entryPoint = await EnsureInstalledAsync(settings.ToolsRoot, progress, cancellationToken);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = settings.ToolsRoot,
        };
        foreach (var argument in new[]
        {
            entryPoint, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", Port(settings.BlobPort),
            "--queueHost", "127.0.0.1", "--queuePort", Port(settings.QueuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Port(settings.TablePort),
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (settings.DataFolder is { } folder)
        {
            Directory.CreateDirectory(folder);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(folder);
        }
        else
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }

        progress?.Invoke($"Starting Azurite on ports {settings.BlobPort}-{settings.TablePort} ({settings.DataFolder ?? "in memory"}).");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var azurite = new AzuriteProcess(settings, process);
        var waited = Stopwatch.StartNew();
        while (!(await IsListeningAsync(settings.QueuePort, cancellationToken) && await IsListeningAsync(settings.TablePort, cancellationToken)))
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                await azurite.DisposeAsync();
                string log;
                lock (output)
                {
                    log = output.ToString();
                }

                throw new InvalidOperationException($"Azurite did not start (exit code {(process.HasExited ? process.ExitCode : "none")}):{Environment.NewLine}{log}");
            }

            await Task.Delay(100, cancellationToken);
        }

        return azurite;
    }

    /// <summary>
    /// Stops the Azurite this instance started; a reused one is left running. One with data on disk is
    /// asked to stop (SIGTERM) and given time to save: Azurite keeps its metadata in LokiJS and writes it
    /// to disk only every five seconds, so a SIGKILL forgets writes it had already acknowledged (queue
    /// messages, table rows), which no real storage outage does. In memory there is nothing to save.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited && Settings.DataFolder is not null && !OperatingSystem.IsWindows())
        {
            await TerminateAsync(_process);
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Kills the Azurite this instance started with SIGKILL: nothing is saved (the soak's worst case).</summary>
    public async ValueTask KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private static async Task TerminateAsync(Process process)
    {
        // .NET can only SIGKILL; kill(1) sends the SIGTERM Azurite handles by closing its stores.
        var signal = new ProcessStartInfo("kill") { UseShellExecute = false };
        signal.ArgumentList.Add("-TERM");
        signal.ArgumentList.Add(process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var kill = Process.Start(signal))
        {
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }

        using var timeout = new CancellationTokenSource(GracefulStopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // It did not stop in time: the caller kills it.
        }
    }

    /// <summary>A free loopback port, for tests that start their own Azurite.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> EnsureInstalledAsync(string toolsRoot, Action<string>? progress, CancellationToken cancellationToken)
    {
        var entryPoint = Path.Combine(toolsRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(entryPoint))
        {
            return entryPoint;
        }

        progress?.Invoke("Installing the pinned Azurite from npm (first run only)...");
        var install = new ProcessStartInfo("npm") { WorkingDirectory = toolsRoot, UseShellExecute = false };
        foreach (var argument in new[] { File.Exists(Path.Combine(toolsRoot, "package-lock.json")) ? "ci" : "install", "--no-audit", "--no-fund" })
        {
            install.ArgumentList.Add(argument);
        }

        using var npm = Process.Start(install) ?? throw new InvalidOperationException("Could not run npm; is Node.js installed?");
        await npm.WaitForExitAsync(cancellationToken);
        if (npm.ExitCode != 0 || !File.Exists(entryPoint))
        {
            throw new InvalidOperationException($"npm could not install Azurite in {toolsRoot} (exit code {npm.ExitCode}).");
        }

        return entryPoint;
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Where Azurite listens and keeps its data.</summary>
/// <param name="ToolsRoot">The folder holding package.json (the repository root).</param>
/// <param name="DataFolder">Workspace folder; null keeps everything in memory (tests).</param>
/// <param name="BlobPort">Blob endpoint port (unused by the pipeline, but Azurite always serves it).</param>
/// <param name="QueuePort">Queue endpoint port: the Local mode subscriptions.</param>
/// <param name="TablePort">Table endpoint port: audit rows and transcripts.</param>
public sealed record AzuriteSettings(string ToolsRoot, string? DataFolder, int BlobPort = 10000, int QueuePort = 10001, int TablePort = 10002);
