using System.Reflection;

namespace Pipeline.Tests.Architecture;

/// <summary>
/// Which namespace (folder) uses which, across compiled assemblies, each edge with one example of a
/// type that makes it. A namespace and its child are different folders. Only namespaces under a prefix
/// defined in the assemblies are nodes: generated code in the compiler's or a source generator's own
/// namespaces, and framework types, are not folders of ours.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph()
    {
    }

    /// <summary>Reads every type of <paramref name="assemblies"/> whose namespace starts with <paramref name="prefix"/>.</summary>
    public static NamespaceGraph Read(IEnumerable<Assembly> assemblies, string prefix)
    {
        var references = assemblies.SelectMany(assembly => TypeReferences.Read(assembly.Location)).ToList();
        var nodes = references.Select(reference => reference.User.Namespace)
            .Where(name => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var graph = new NamespaceGraph();
        foreach (var node in nodes)
        {
            graph._edges[node] = new(StringComparer.Ordinal);
        }

        foreach (var (user, used) in references)
        {
            if (user.Namespace != used.Namespace && nodes.Contains(user.Namespace) && nodes.Contains(used.Namespace))
            {
                graph._edges[user.Namespace].TryAdd(used.Namespace, $"{user.Name} uses {used.Name}");
            }
        }

        return graph;
    }

    /// <summary>Each namespace and the namespaces it uses, each with the example that makes the edge.</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, string>> Edges => _edges;

    /// <summary>
    /// One entry per group of namespaces that reach each other (a strongly connected component), naming
    /// its shortest cycle through its first member, edge by edge with a type that makes the edge.
    /// Edges in <paramref name="allowed"/> are left out.
    /// </summary>
    public IReadOnlyList<string> Cycles(IEnumerable<(string From, string To)> allowed)
    {
        var skip = allowed.ToHashSet();
        var edges = _edges.ToDictionary(
            node => node.Key,
            node => node.Value.Keys.Where(to => !skip.Contains((node.Key, to))).ToList(),
            StringComparer.Ordinal);
        return [.. Components(edges).Where(component => component.Count > 1).Select(component => Describe(edges, component))];
    }

    private string Describe(Dictionary<string, List<string>> edges, SortedSet<string> component)
    {
        var start = component.Min!;
        var path = ShortestCycle(edges, component, start);
        var steps = path.Zip(path.Skip(1), (from, to) => $"\n    {from} -> {to} ({_edges[from][to]})");
        return $"{string.Join(", ", component)} reach each other; one cycle:{string.Concat(steps)}";
    }

    // Breadth first from start, within the component, back to start.
    private static List<string> ShortestCycle(Dictionary<string, List<string>> edges, SortedSet<string> component, string start)
    {
        var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            foreach (var next in edges[node].Where(component.Contains))
            {
                if (next == start)
                {
                    // start, then node and its ancestors back to start's child, reversed, then start again.
                    var path = new List<string> { start };
                    for (var back = node; back != start; back = cameFrom[back])
                    {
                        path.Add(back);
                    }

                    path.Reverse();
                    path.Insert(0, start);
                    return path;
                }

                if (cameFrom.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        throw new InvalidOperationException($"{start} is in a component but on no cycle.");
    }

    // Tarjan's strongly connected components.
    private static List<SortedSet<string>> Components(Dictionary<string, List<string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<SortedSet<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges[node])
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new SortedSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys.Where(node => !index.ContainsKey(node)))
        {
            Visit(node);
        }

        return components;
    }
}
