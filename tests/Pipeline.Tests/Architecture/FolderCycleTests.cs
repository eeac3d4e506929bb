using System.Reflection;
using Pipeline.Host;
using Pipeline.Tests.Architecture.CycleFixture;

namespace Pipeline.Tests.Architecture;

/// <summary>
/// No folder depends on itself through other folders (issue 13): a change in one folder should never
/// ripple back into it. The graph is read from the compiled product assemblies, method bodies included.
/// </summary>
public sealed class FolderCycleTests
{
    private static readonly Assembly[] Products =
    [
        typeof(Pipeline.Core.Audit.AuditEntry).Assembly,
        typeof(Pipeline.Azure.Resilience.TransientFailure).Assembly,
        typeof(HandlerApp).Assembly,
        typeof(Pipeline.Cli.Send.SendCommand).Assembly,
    ];

    /// <summary>Edges allowed to close a cycle, each with why it cannot go yet. Keep it empty.</summary>
    private static readonly (string From, string To, string Reason)[] KnownExceptions = [];

    private static readonly Lazy<NamespaceGraph> Graph = new(() => NamespaceGraph.Read(Products, "Pipeline"));

    [Fact]
    public void ProductNamespaces_DependOnEachOther_WithoutCycles()
    {
        var cycles = Graph.Value.Cycles(KnownExceptions.Select(exception => (exception.From, exception.To)));

        Assert.True(cycles.Count == 0, "Folder cycles (a namespace and its child are different folders):\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void KnownExceptions_EachStillAnEdge()
    {
        var stale = KnownExceptions.Where(exception => !Graph.Value.Edges[exception.From].ContainsKey(exception.To)).ToList();

        Assert.Empty(stale);
    }

    [Fact]
    public void Cycles_ThroughAsyncMethodAndLambdaBodiesOnly_AreFound()
    {
        var fixture = NamespaceGraph.Read([typeof(Caller).Assembly], typeof(Caller).Namespace!);

        var cycle = Assert.Single(fixture.Cycles([]));

        Assert.Contains("CycleFixture -> Pipeline.Tests.Architecture.CycleFixture.Child (Caller uses Callee)", cycle, StringComparison.Ordinal);
        Assert.Contains("CycleFixture.Child -> Pipeline.Tests.Architecture.CycleFixture (Callee uses Marker)", cycle, StringComparison.Ordinal);
    }

    [Fact]
    public void Cycles_AllowedEdge_IsLeftOut()
    {
        var fixture = NamespaceGraph.Read([typeof(Caller).Assembly], typeof(Caller).Namespace!);

        Assert.Empty(fixture.Cycles([(typeof(Caller).Namespace!, typeof(Pipeline.Tests.Architecture.CycleFixture.Child.Callee).Namespace!)]));
    }
}
