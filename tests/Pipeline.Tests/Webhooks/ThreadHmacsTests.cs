using System.Security.Cryptography;
using System.Text;
using Pipeline.Core.Webhooks;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// The reused per-thread HMACs give exactly the one-shot HMAC of <c>{prefix}.{body}</c>, whichever keys a
/// thread alternates between (more than it keeps), and one key's state never leaks into the next computation.
/// </summary>
public sealed class ThreadHmacsTests
{
    [Fact]
    public void Compute_ManyKeysAndBodiesInTurn_EqualsTheOneShotHmacEveryTime()
    {
        var random = new Random(20261202);
        var keys = Enumerable.Range(0, 7).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        Span<byte> reused = stackalloc byte[HmacSignatures.Length];
        for (var i = 0; i < 2_000; i++)
        {
            var key = keys[random.Next(keys.Length)];
            var body = new byte[random.Next(0, i % 50 == 0 ? 70_000 : 3_000)];
            random.NextBytes(body);
            var prefix = random.Next(3) switch { 0 => null, 1 => random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), _ => new string('é', random.Next(0, 400)) };

            HmacSignatures.Compute(key, prefix, body, reused);

            var signed = prefix is null ? body : [.. Encoding.UTF8.GetBytes(prefix + "."), .. body];
            Assert.Equal(HMACSHA256.HashData(key, signed), reused.ToArray());
        }
    }

    [Fact]
    public async Task Compute_OnManyThreadsAtOnce_EqualsTheOneShotHmac()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var failures = 0;
        await Parallel.ForAsync(0, 20_000, TestContext.Current.CancellationToken, (i, _) =>
        {
            var key = keys[i % keys.Length];
            var body = BitConverter.GetBytes(i);
            var prefix = (i * 7).ToString(System.Globalization.CultureInfo.InvariantCulture);
            byte[] signed = [.. Encoding.UTF8.GetBytes(prefix + "."), .. body];
            var expected = HMACSHA256.HashData(key, signed);
            if (!HmacSignatures.Compute(key, prefix, body).AsSpan().SequenceEqual(expected))
            {
                Interlocked.Increment(ref failures);
            }

            return ValueTask.CompletedTask;
        });

        Assert.Equal(0, failures);
    }
}
