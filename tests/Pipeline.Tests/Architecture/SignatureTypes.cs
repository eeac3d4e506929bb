using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Pipeline.Tests.Architecture;

/// <summary>A type as the dependency graph sees it: the namespace and name of its outermost declaring type.</summary>
internal readonly record struct TypeName(string Namespace, string Name)
{
    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}.{Name}";
}

/// <summary>
/// Decodes a signature blob into every type it names: generic arguments, array elements, by-ref and
/// pointer targets, function-pointer parameters. Primitives and generic parameters name nothing.
/// </summary>
internal sealed class SignatureTypes : ISignatureTypeProvider<ImmutableArray<TypeName>, object?>
{
    public static SignatureTypes Instance { get; } = new();

    /// <summary>The outermost type holding <paramref name="handle"/>: a lambda's closure or a state machine counts for the type that wrote it.</summary>
    public static TypeName Of(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = reader.GetTypeDefinition(outer);
        }

        return new(reader.GetString(type.Namespace), reader.GetString(type.Name));
    }

    /// <summary>The outermost type a reference names (a nested type's scope is its declaring type's reference).</summary>
    public static TypeName Of(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        while (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
        }

        return new(reader.GetString(type.Namespace), reader.GetString(type.Name));
    }

    public ImmutableArray<TypeName> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [Of(reader, handle)];

    public ImmutableArray<TypeName> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [Of(reader, handle)];

    public ImmutableArray<TypeName> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public ImmutableArray<TypeName> GetGenericInstantiation(ImmutableArray<TypeName> genericType, ImmutableArray<ImmutableArray<TypeName>> typeArguments) =>
        [.. genericType, .. typeArguments.SelectMany(argument => argument)];

    public ImmutableArray<TypeName> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeName>> signature) =>
        [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(parameter => parameter)];

    public ImmutableArray<TypeName> GetArrayType(ImmutableArray<TypeName> elementType, ArrayShape shape) => elementType;

    public ImmutableArray<TypeName> GetSZArrayType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetByReferenceType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetPointerType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetPinnedType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetModifiedType(ImmutableArray<TypeName> modifier, ImmutableArray<TypeName> unmodifiedType, bool isRequired) => unmodifiedType;

    public ImmutableArray<TypeName> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

    public ImmutableArray<TypeName> GetGenericMethodParameter(object? genericContext, int index) => [];

    public ImmutableArray<TypeName> GetGenericTypeParameter(object? genericContext, int index) => [];
}
