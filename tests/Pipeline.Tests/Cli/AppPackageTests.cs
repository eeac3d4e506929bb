using System.Buffers.Binary;
using System.IO.Compression;
using Pipeline.Cli.Publish;
using Pipeline.Host.Configuration;

namespace Pipeline.Tests.Cli;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AppPackageTests : IDisposable
{
    private static readonly byte[] ElfHeader = [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0];

    private readonly string _output = Directory.CreateTempSubdirectory("pipeline-publish-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public void LayOutAndZip_App_HoldsHostJsonAndEveryFunctionFolder()
    {
        var app = Path.Combine(_output, "app");

        var functions = AppPackage.LayOut(RepositoryRoot.Find(), app);
        AppPackage.Zip(app, Path.Combine(_output, "app.zip"));

        Assert.Contains("WebhookIngress", functions);
        Assert.Contains("WriteAudit", functions);
        using var zip = ZipFile.OpenRead(Path.Combine(_output, "app.zip"));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("host.json", names);
        Assert.All(functions, function => Assert.Contains($"{function}/function.json", names));
    }

    [Fact]
    public void Zip_ModesOnDiskWrong_RecordsRegularFileModesByWhatEachFileIs()
    {
        // The disk modes are what a Windows checkout would give (or worse): the package must not follow them.
        var app = Path.Combine(_output, "app");
        var handler = Write(app, "handler/Pipeline.Host", ElfHeader, (UnixFileMode)0b110_000_000);
        var dump = Write(app, "handler/createdump", ElfHeader, (UnixFileMode)0b110_100_100);
        var library = Write(app, "handler/libSystem.Native.so", ElfHeader, (UnixFileMode)0b111_111_111);
        var config = Write(app, "host.json", "{}"u8.ToArray(), (UnixFileMode)0b111_111_111);
        var zipPath = Path.Combine(_output, "app.zip");

        AppPackage.Zip(app, zipPath);

        using var zip = ZipFile.OpenRead(zipPath);
        Assert.Equal(0x81ED /* 0100755 */, Mode(zip, "handler/Pipeline.Host"));
        Assert.Equal(0x81ED /* 0100755 */, Mode(zip, "handler/createdump"));
        Assert.Equal(0x81A4 /* 0100644 */, Mode(zip, "handler/libSystem.Native.so"));
        Assert.Equal(0x81A4 /* 0100644 */, Mode(zip, "host.json"));
        Assert.True(new[] { handler, dump, library, config }.All(File.Exists));
    }

    [Fact]
    public void Zip_AnyBuildMachine_RecordsUnixAsTheVersionMadeByPlatform()
    {
        var app = Path.Combine(_output, "app");
        Write(app, "handler/Pipeline.Host", ElfHeader, (UnixFileMode)0b111_101_101);
        Write(app, "WriteAudit/function.json", "{}"u8.ToArray(), (UnixFileMode)0b110_100_100);
        var zipPath = Path.Combine(_output, "app.zip");

        AppPackage.Zip(app, zipPath);

        // unzip and the Functions deployment read the mode bits only when the entry says it was made on Unix (3).
        var platforms = CentralDirectoryPlatforms(File.ReadAllBytes(zipPath));
        Assert.Equal([3, 3], platforms);
    }

    private static string Write(string app, string relative, byte[] content, UnixFileMode mode)
    {
        var path = Path.Combine(app, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static int Mode(ZipArchive zip, string name) => (zip.GetEntry(name)!.ExternalAttributes >> 16) & 0xFFFF;

    private static List<int> CentralDirectoryPlatforms(byte[] zip)
    {
        var platforms = new List<int>();
        for (var i = 0; i + 46 <= zip.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) == 0x02014b50)
            {
                platforms.Add(zip[i + 5]);
            }
        }

        return platforms;
    }
}
