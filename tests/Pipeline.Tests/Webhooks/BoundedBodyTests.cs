using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Webhooks;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// How a body that never arrives in full ends the request. Kestrel leaves its body reader "reading" when the
/// transport fails a read with a connection reset, and its drain after the response then logs an Error
/// ("Reading is already in progress.", seen once in a fresh-clone .ci/run under HostileIngressTests' RST flood): a request whose
/// connection is gone is aborted, which tells Kestrel not to drain. A body merely cut short (FIN) keeps its 400.
/// </summary>
public sealed class BoundedBodyTests
{
    private static readonly MinDataRate Rate = new(240, TimeSpan.FromSeconds(5));

    public static TheoryData<string> ConnectionGone => ["reset", "aborted"];

    [Theory]
    [MemberData(nameof(ConnectionGone))]
    public async Task ReadAsync_ConnectionGoneMidBody_IsIncompleteAndAbortsTheRequest(string failure)
    {
        var (context, lifetime) = Request(failure switch
        {
            "reset" => new ConnectionResetException("Connection reset by peer"),
            _ => new TaskCanceledException("The request was aborted", new ConnectionAbortedException()),
        });

        var read = await BoundedBody.ReadAsync(context.Request, 1024, Rate);

        Assert.Equal(IngressRejection.IncompleteBody, read.Rejection);
        Assert.True(lifetime.Aborted, "a request whose connection is gone is aborted, so Kestrel does not drain a reader it left reading");
    }

    [Fact]
    public async Task ReadAsync_BodyCutShort_IsIncompleteAndStillAnswered()
    {
        var (context, lifetime) = Request(new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest));

        var read = await BoundedBody.ReadAsync(context.Request, 1024, Rate);

        Assert.Equal(IngressRejection.IncompleteBody, read.Rejection);
        Assert.False(lifetime.Aborted, "a half-closed client can still read its 400");
    }

    [Theory]
    [InlineData(1024, 1024, true)] // exactly the limit, with its length declared
    [InlineData(1025, 1024, false)] // one byte over
    [InlineData(40_000, 100_000, null)] // no length declared: grows past the first 16 KiB
    [InlineData(100_001, 100_000, null)] // no length declared and over the limit
    public async Task ReadAsync_PooledBuffer_ReadsTheWholeBodyAndClearsItWhenDisposed(int size, int limit, bool? declared)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        var context = new DefaultHttpContext();
        context.Request.ContentLength = declared is null ? null : size;
        context.Request.Body = new MemoryStream(body);

        // A pool of the test's own: the array it lends is checked after its return, which the shared pool could
        // meanwhile lend to another thread.
        var read = await BoundedBody.ReadAsync(context.Request, limit, Rate, ArrayPool<byte>.Create());

        if (size > limit)
        {
            Assert.Equal(IngressRejection.BodyTooLarge, read.Rejection);
            Assert.Null(read.Rented);
            return;
        }

        Assert.Null(read.Rejection);
        Assert.Equal(body, read.Body.ToArray());
        var rented = Assert.IsType<byte[]>(read.Rented);
        read.Dispose();
        Assert.All(rented, b => Assert.Equal(0, b)); // a body can hold personal data; the pool lends the array on
    }

    private static (DefaultHttpContext Context, RecordingLifetime Lifetime) Request(Exception failure)
    {
        var context = new DefaultHttpContext();
        var lifetime = new RecordingLifetime();
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        context.Request.ContentLength = 500;
        context.Request.Body = new FailingAfterFirstRead(failure);
        return (context, lifetime);
    }

    /// <summary>Records the abort: the call itself is what these tests check.</summary>
    private sealed class RecordingLifetime : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }

    /// <summary>Gives the first 10 bytes of a body, then fails the next read as the transport would.</summary>
    private sealed class FailingAfterFirstRead(Exception failure) : Stream
    {
        private bool _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent)
            {
                return ValueTask.FromException<int>(failure);
            }

            _sent = true;
            "{\"id\":\"x\","u8.CopyTo(buffer.Span);
            return ValueTask.FromResult(10);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush() => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
