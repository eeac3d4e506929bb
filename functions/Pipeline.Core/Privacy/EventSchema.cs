using System.Collections.Frozen;
using Microsoft.Extensions.Compliance.Classification;

namespace Pipeline.Core.Privacy;

/// <summary>
/// What an event type's fields are (SPEC §5, privacy by allowlist): every field the schema knows
/// carries a <see cref="PipelineTaxonomy"/> class; a field it does not know has none and is dropped.
/// Fields are declared by path, segments separated by <c>/</c> and <c>[]</c> for the items of an
/// array (<c>data/user/emails/[]/value</c>); the schema is a tree, so a property named
/// <c>"data/course_id"</c> at the root never passes for the path <c>data/course_id</c>.
/// </summary>
public sealed class EventSchema
{
    /// <summary>The segment that stands for every item of an array.</summary>
    public const string Items = "[]";

    private EventSchema(FrozenDictionary<string, EventSchema> children, DataClassification? classification, int order)
    {
        Children = children;
        Classification = classification;
        Order = order;
    }

    /// <summary>The class of this field; null for an object or array whose members are classified.</summary>
    public DataClassification? Classification { get; }

    /// <summary>Declaration order of a leaf: the first declared subject field is an event's main subject.</summary>
    public int Order { get; }

    /// <summary>The known members (property names, or <see cref="Items"/>).</summary>
    public FrozenDictionary<string, EventSchema> Children { get; }

    /// <summary>The member <paramref name="name"/>, matched exactly; null when the schema does not know it.</summary>
    public EventSchema? Member(string name) => Children.GetValueOrDefault(name);

    /// <summary>A schema from declared paths; a later declaration of the same path wins.</summary>
    public static EventSchema Of(params IEnumerable<(string Path, DataClassification Classification)> fields)
    {
        var root = new Builder();
        var order = 0;
        foreach (var (path, classification) in fields)
        {
            var node = root;
            foreach (var segment in path.Split('/'))
            {
                node = node.Child(segment);
            }

            node.Classification = classification;
            node.Order = order++;
        }

        return root.Build();
    }

    /// <summary>This schema with more fields (an event type's data on top of its vendor's envelope).</summary>
    public EventSchema With(params IEnumerable<(string Path, DataClassification Classification)> fields) => Of(Paths().Concat(fields));

    /// <summary>Every declared leaf with its class, in declaration order.</summary>
    public IEnumerable<(string Path, DataClassification Classification)> Paths() =>
        Leaves("").OrderBy(leaf => leaf.Order).Select(leaf => (leaf.Path, leaf.Classification));

    private IEnumerable<(string Path, DataClassification Classification, int Order)> Leaves(string prefix)
    {
        if (Classification is { } classification)
        {
            yield return (prefix, classification, Order);
        }

        foreach (var (name, child) in Children)
        {
            foreach (var leaf in child.Leaves(prefix.Length == 0 ? name : prefix + "/" + name))
            {
                yield return leaf;
            }
        }
    }

    private sealed class Builder
    {
        private readonly Dictionary<string, Builder> _children = new(StringComparer.Ordinal);

        public DataClassification? Classification { get; set; }

        public int Order { get; set; }

        public Builder Child(string name)
        {
            if (!_children.TryGetValue(name, out var child))
            {
                _children[name] = child = new Builder();
            }

            return child;
        }

        public EventSchema Build() => new(
            _children.ToFrozenDictionary(c => c.Key, c => c.Value.Build(), StringComparer.Ordinal), Classification, Order);
    }
}
