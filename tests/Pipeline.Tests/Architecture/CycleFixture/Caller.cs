using Pipeline.Tests.Architecture.CycleFixture.Child;

namespace Pipeline.Tests.Architecture.CycleFixture;

/// <summary>
/// Half of a deliberate folder cycle that no signature shows, so <see cref="FolderCycleTests"/> can prove
/// the graph reads method bodies: this namespace reaches its child only inside an async method (its
/// state machine), and the child reaches back only through a generic argument inside a lambda.
/// </summary>
public static class Caller
{
    public static async Task<int> CountAsync()
    {
        await Task.Yield();
        return Callee.Count();
    }
}

/// <summary>What the child folder names only as a generic argument.</summary>
public enum Marker
{
    None,
}
