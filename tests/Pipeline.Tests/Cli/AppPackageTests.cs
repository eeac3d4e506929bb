using System.IO.Compression;
using Pipeline.Cli.Publish;
using Pipeline.Host.Local;

namespace Pipeline.Tests.Cli;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AppPackageTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("pipeline-publish-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public void LayOutAndZip_KeepsFunctionFoldersHostJsonAndTheHandlersExecBit()
    {
        var app = Path.Combine(_output, "app");
        var handler = Path.Combine(app, AppPackage.HandlerFolder, "Pipeline.Host");
        Directory.CreateDirectory(Path.GetDirectoryName(handler)!);
        File.WriteAllText(handler, "#!/bin/sh\n");
        File.SetUnixFileMode(handler, (UnixFileMode)0b111_101_101);

        var functions = AppPackage.LayOut(RepositoryRoot.Find(), app);
        AppPackage.Zip(app, Path.Combine(_output, "app.zip"));

        Assert.Contains("WebhookIngress", functions);
        Assert.Contains("WriteAudit", functions);
        using var zip = ZipFile.OpenRead(Path.Combine(_output, "app.zip"));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("host.json", names);
        foreach (var function in functions)
        {
            Assert.Contains($"{function}/function.json", names);
        }

        var entry = zip.GetEntry("handler/Pipeline.Host")!;
        Assert.Equal(0b111_101_101, (entry.ExternalAttributes >> 16) & 0b111_111_111);
        Assert.Equal(0b110_100_100, (zip.GetEntry("host.json")!.ExternalAttributes >> 16) & 0b111_111_111 & 0b110_100_100);
    }
}
