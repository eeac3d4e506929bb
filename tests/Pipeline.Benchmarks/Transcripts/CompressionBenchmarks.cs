using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Pipeline.Benchmarks.Transcripts;

/// <summary>Which compressor the envelope uses: candidates at their fast settings on transcript-like text.</summary>
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    private byte[] _plaintext = [];
    private byte[] _buffer = [];
    private byte[] _compressed = [];
    private byte[] _decompressed = [];

    [Params(1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = TranscriptTextFactory.Create(Size);
        _buffer = new byte[BrotliEncoder.GetMaxCompressedLength(Size)];
        _decompressed = new byte[Size];
        BrotliEncoder.TryCompress(_plaintext, _buffer, out var written, 0, 22);
        _compressed = _buffer[..written];
    }

    [Benchmark(Baseline = true, Description = "Brotli q1 w22")]
    public int BrotliQuality1() => BrotliEncoder.TryCompress(_plaintext, _buffer, out var written, 1, 22) ? written : -1;

    [Benchmark(Description = "Brotli q0 w22")]
    public int BrotliQuality0() => BrotliEncoder.TryCompress(_plaintext, _buffer, out var written, 0, 22) ? written : -1;

    [Benchmark(Description = "Brotli q0 decompress, one-shot")]
    public int BrotliDecompressOneShot() => BrotliDecoder.TryDecompress(_compressed, _decompressed, out var written) ? written : -1;

    [Benchmark(Description = "Brotli q0 decompress, stream")]
    public int BrotliDecompressStream()
    {
        using var brotli = new BrotliStream(new MemoryStream(_compressed), CompressionMode.Decompress);
        var total = 0;
        int read;
        while ((read = brotli.Read(_decompressed, total, _decompressed.Length - total)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Description = "Deflate fastest")]
    public long DeflateFastest()
    {
        using var output = new MemoryStream(_buffer);
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(_plaintext);
        }

        return output.Position;
    }
}

internal static class TranscriptTextFactory
{
    /// <summary>Speaker turns over a small vocabulary, like the tests: meeting text compresses several-fold.</summary>
    public static byte[] Create(int size)
    {
        var random = new Random(size);
        var words = new[] { "the", "quarterly", "pipeline", "review", "customer", "renewal", "so", "I", "think", "we", "should", "follow", "up", "next", "week", "with", "legal", "pricing", "discount", "timeline" };
        var text = new StringBuilder(size + 64);
        while (text.Length < size)
        {
            text.Append("Speaker ").Append(random.Next(1, 5)).Append(": ");
            for (var i = random.Next(5, 30); i > 0; i--)
            {
                text.Append(words[random.Next(words.Length)]).Append(' ');
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, size));
    }
}
