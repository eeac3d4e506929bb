namespace Pipeline.Tests.Architecture.CycleFixture.Child;

/// <summary>The other half of the cycle in <see cref="CycleFixture.Caller"/>: it names the parent folder only in a lambda's body.</summary>
public static class Callee
{
    public static int Count()
    {
        Func<int> count = () => new List<Marker>().Count;
        return count();
    }
}
