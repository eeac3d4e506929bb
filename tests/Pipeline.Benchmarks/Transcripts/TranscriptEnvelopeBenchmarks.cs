using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Pipeline.Core.Transcripts;

namespace Pipeline.Benchmarks.Transcripts;

/// <summary>
/// Seal and open throughput of the transcript envelope against one plain <see cref="AesGcm"/> call over the
/// same buffer (the baseline), for 64 KiB, 1 MiB and 4 MiB of transcript-like text. Key wrapping is not
/// included: it is one RSA-OAEP encryption with a cached public key per transcript (no Key Vault call).
/// </summary>
[MemoryDiagnoser]
public class TranscriptEnvelopeBenchmarks
{
    private static readonly TranscriptContext Context = new("acme", "tr-benchmark");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(12);
    private readonly byte[] _tag = new byte[16];
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _baselineCiphertext = [];
    private readonly byte[] _baselineTag = new byte[16];
    private byte[] _decrypted = [];
    private SealedTranscript _sealedPlain = null!;
    private SealedTranscript _sealedBrotli = null!;

    [Params(64 * 1024, 1024 * 1024, 4 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = TranscriptTextFactory.Create(Size);
        _ciphertext = new byte[Size];
        _decrypted = new byte[Size];
        _baselineCiphertext = new byte[Size];
        using (var aes = new AesGcm(_key, 16))
        {
            aes.Encrypt(_nonce, _plaintext, _baselineCiphertext, _baselineTag);
        }

        _sealedPlain = TranscriptEnvelope.Seal(_key, Context, _plaintext, TranscriptCompression.None);
        _sealedBrotli = TranscriptEnvelope.Seal(_key, Context, _plaintext, TranscriptCompression.Brotli);
    }

    [Benchmark(Baseline = true, Description = "AesGcm encrypt (plain)")]
    public byte[] PlainEncrypt()
    {
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        return _ciphertext;
    }

    [Benchmark(Description = "Seal, no compression")]
    public SealedTranscript SealUncompressed() => TranscriptEnvelope.Seal(_key, Context, _plaintext, TranscriptCompression.None);

    [Benchmark(Description = "Seal, Brotli")]
    public SealedTranscript SealCompressed() => TranscriptEnvelope.Seal(_key, Context, _plaintext, TranscriptCompression.Brotli);

    [Benchmark(Description = "AesGcm decrypt (plain)")]
    public byte[] PlainDecrypt()
    {
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(_nonce, _baselineCiphertext, _baselineTag, _decrypted);
        return _decrypted;
    }

    [Benchmark(Description = "Open, no compression")]
    public TranscriptOpenResult OpenUncompressed() => TranscriptEnvelope.Open(_key, Context, _sealedPlain);

    [Benchmark(Description = "Open, Brotli")]
    public TranscriptOpenResult OpenCompressed() => TranscriptEnvelope.Open(_key, Context, _sealedBrotli);
}
