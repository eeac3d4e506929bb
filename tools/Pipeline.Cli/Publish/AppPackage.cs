using System.Buffers.Binary;
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

    /// <summary>A regular file, rwxr-xr-x: the handler and any other Linux executable of the publish output.</summary>
    public const int ExecutableMode = 0x8000 | 0b111_101_101;

    /// <summary>A regular file, rw-r--r--: everything else.</summary>
    public const int RegularMode = 0x8000 | 0b110_100_100;

    /// <summary>"Version made by" platform 3: the external attributes hold a Unix mode (APPNOTE 4.4.2).</summary>
    private const byte UnixPlatform = 3;

    private const uint CentralDirectoryHeader = 0x02014b50;
    private const uint EndOfCentralDirectory = 0x06054b50;
    private const int EndOfCentralDirectoryLength = 22;

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
    /// Zips the app folder with each entry's Unix mode decided by what the file is, never by the build
    /// machine's file system: a Linux executable (an ELF file that is not a shared library, such as the
    /// handler and <c>createdump</c>) is <see cref="ExecutableMode"/>, everything else <see cref="RegularMode"/>,
    /// both with the regular-file type bits. The same package comes out of Windows, macOS and Linux.
    /// </summary>
    public static void Zip(string appFolder, string zipPath)
    {
        File.Delete(zipPath);
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.EnumerateFiles(appFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetRelativePath(appFolder, file).Replace(Path.DirectorySeparatorChar, '/');
                var entry = zip.CreateEntryFromFile(file, name, CompressionLevel.Optimal);
                entry.ExternalAttributes = (IsLinuxExecutable(file) ? ExecutableMode : RegularMode) << 16;
            }
        }

        // ZipArchive records the build machine's platform as "version made by"; unzip tools read the mode
        // bits only when it says Unix, so a package zipped on Windows would lose them without this.
        MarkMadeByUnix(zipPath);
    }

    /// <summary>An ELF file other than a shared library (<c>.so</c>, <c>.so.N</c>).</summary>
    public static bool IsLinuxExecutable(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) == magic.Length
            && magic.SequenceEqual("\u007fELF"u8);
    }

    /// <summary>Sets every central directory entry's "version made by" platform to Unix.</summary>
    private static void MarkMadeByUnix(string zipPath)
    {
        using var stream = File.Open(zipPath, FileMode.Open, FileAccess.ReadWrite);
        var tail = new byte[(int)Math.Min(stream.Length, EndOfCentralDirectoryLength + ushort.MaxValue)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        var end = tail.Length - EndOfCentralDirectoryLength;
        while (end >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end)) != EndOfCentralDirectory)
        {
            end--;
        }

        if (end < 0)
        {
            throw new InvalidDataException("The zip has no end of central directory record.");
        }

        var entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
        var size = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 12));
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 16));
        if (entries == ushort.MaxValue || offset == uint.MaxValue)
        {
            throw new InvalidDataException("Zip64 packages are not expected (over 65,535 files or 4 GiB).");
        }

        var directory = new byte[size];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(directory);
        var position = 0;
        for (var i = 0; i < entries; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(position)) != CentralDirectoryHeader)
            {
                throw new InvalidDataException("Unexpected record in the zip's central directory.");
            }

            directory[position + 5] = UnixPlatform;
            position += 46
                + BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(position + 28))
                + BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(position + 30))
                + BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(position + 32));
        }

        stream.Seek(offset, SeekOrigin.Begin);
        stream.Write(directory);
    }
}
