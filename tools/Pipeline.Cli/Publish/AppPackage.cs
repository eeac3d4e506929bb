using System.IO.Compression;
using Pipeline.Host.Invocations;

namespace Pipeline.Cli.Publish;

/// <summary>
/// Lays out the deployable function app (SPEC §2) and zips it: <c>host.json</c>, one folder per
/// function holding its function.json, and the self-contained handler under <c>handler/</c>.
/// </summary>
internal static class AppPackage
{
    public const string HandlerFolder = "handler";

    /// <summary>Copies host.json and every function.json into <paramref name="appFolder"/>; returns the function names.</summary>
    public static IReadOnlyList<string> LayOut(string root, string appFolder)
    {
        Directory.CreateDirectory(appFolder);
        File.Copy(Path.Combine(root, "host.json"), Path.Combine(appFolder, "host.json"), overwrite: true);
        var functions = FunctionManifest.Discover(Path.Combine(root, "functions", "Pipeline.Host"));
        foreach (var function in functions)
        {
            var folder = Path.Combine(appFolder, function.Name);
            Directory.CreateDirectory(folder);
            File.Copy(function.Path, Path.Combine(folder, "function.json"), overwrite: true);
        }

        return functions.Select(f => f.Name).ToList();
    }

    /// <summary>
    /// Zips the app folder, recording each file's Unix mode so the handler executable keeps its
    /// exec bit when the Functions host unpacks it.
    /// </summary>
    public static void Zip(string appFolder, string zipPath)
    {
        File.Delete(zipPath);
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var file in Directory.EnumerateFiles(appFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(appFolder, file).Replace(Path.DirectorySeparatorChar, '/');
            var entry = zip.CreateEntryFromFile(file, name, CompressionLevel.Optimal);
            var mode = OperatingSystem.IsWindows() ? (UnixFileMode)0b110_100_100 : File.GetUnixFileMode(file);
            entry.ExternalAttributes = (int)mode << 16;
        }
    }
}
