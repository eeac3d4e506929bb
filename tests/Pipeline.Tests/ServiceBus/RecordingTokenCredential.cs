using System.Collections.Concurrent;
using Azure.Core;

namespace Pipeline.Tests.ServiceBus;

/// <summary>A credential that hands out a fixed token and records the scopes it was asked for.</summary>
internal sealed class RecordingTokenCredential(string token) : TokenCredential
{
    public ConcurrentQueue<string[]> RequestedScopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        RequestedScopes.Enqueue(requestContext.Scopes);
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
