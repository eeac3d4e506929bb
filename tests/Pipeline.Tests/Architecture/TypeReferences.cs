using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Pipeline.Tests.Architecture;

/// <summary>
/// Every type each type of a compiled assembly uses, read from metadata and IL rather than source, so
/// nothing a <c>using</c> hides escapes: base type, interfaces, generic constraints, attributes, field,
/// property, event and method signatures, locals, catch clauses, and each operand token in a method
/// body (<c>call</c>, <c>newobj</c>, <c>ldfld</c>, <c>ldsfld</c>, <c>ldtoken</c>, <c>castclass</c>,
/// <c>isinst</c>, <c>box</c>, <c>newarr</c>, …) with the generic arguments it instantiates. A nested type
/// (closure, iterator, async state machine) counts for its outermost type. What compiles to a value
/// leaves no trace: a use of another folder's <c>const</c> (or <c>nameof</c>, or a <c>typeof</c> in an
/// attribute argument) makes no edge here.
/// </summary>
internal static class TypeReferences
{
    // One- and two-byte opcodes by their encoded value, for each operand's size and kind.
    private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(opCode => unchecked((ushort)opCode.Value), opCode => opCode.OperandType);

    /// <summary>Each (user, used) pair in the assembly at <paramref name="path"/>, repeats included.</summary>
    public static IEnumerable<(TypeName User, TypeName Used)> Read(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var reader = pe.GetMetadataReader();
        var found = new List<(TypeName, TypeName)>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var user = SignatureTypes.Of(reader, handle);
            foreach (var used in Used(pe, reader, reader.GetTypeDefinition(handle)))
            {
                found.Add((user, used));
            }
        }

        return found;
    }

    private static IEnumerable<TypeName> Used(PEReader pe, MetadataReader reader, TypeDefinition type)
    {
        var types = SignatureTypes.Instance;
        IEnumerable<TypeName> used = [
            .. Entity(reader, type.BaseType),
            .. type.GetInterfaceImplementations().SelectMany(handle => Entity(reader, reader.GetInterfaceImplementation(handle).Interface)),
            .. Constraints(reader, type.GetGenericParameters()),
            .. Attributes(reader, type.GetCustomAttributes()),
            .. type.GetFields().Select(reader.GetFieldDefinition)
                .SelectMany(field => field.DecodeSignature(types, null).Concat(Attributes(reader, field.GetCustomAttributes()))),
            .. type.GetProperties().Select(reader.GetPropertyDefinition)
                .SelectMany(property => Signature(property.DecodeSignature(types, null)).Concat(Attributes(reader, property.GetCustomAttributes()))),
            .. type.GetEvents().SelectMany(handle => Entity(reader, reader.GetEventDefinition(handle).Type)),
        ];
        foreach (var handle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(handle);
            used = used
                .Concat(Signature(method.DecodeSignature(types, null)))
                .Concat(Constraints(reader, method.GetGenericParameters()))
                .Concat(Attributes(reader, method.GetCustomAttributes()))
                .Concat(method.RelativeVirtualAddress == 0 ? [] : Body(reader, pe.GetMethodBody(method.RelativeVirtualAddress)));
        }

        return used;
    }

    private static List<TypeName> Body(MetadataReader reader, MethodBodyBlock body)
    {
        var used = new List<TypeName>();
        if (!body.LocalSignature.IsNil)
        {
            used.AddRange(reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(SignatureTypes.Instance, null).SelectMany(local => local));
        }

        foreach (var region in body.ExceptionRegions)
        {
            used.AddRange(Entity(reader, region.CatchType));
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var code = (ushort)il.ReadByte();
            if (code == 0xFE)
            {
                code = (ushort)(0xFE00 | il.ReadByte());
            }

            switch (Operands[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig:
                    used.AddRange(Entity(reader, MetadataTokens.EntityHandle(il.ReadInt32())));
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                default:
                    il.Offset += OperandSize(Operands[code]);
                    break;
            }
        }

        return used;
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString => 4,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => throw new InvalidOperationException($"Unexpected operand type {operand}."),
    };

    /// <summary>The types a metadata token names: a member's declaring type and signature, a method's generic arguments.</summary>
    private static IEnumerable<TypeName> Entity(MetadataReader reader, EntityHandle handle)
    {
        var types = SignatureTypes.Instance;
        return handle.IsNil ? [] : handle.Kind switch
        {
            HandleKind.TypeDefinition => [SignatureTypes.Of(reader, (TypeDefinitionHandle)handle)],
            HandleKind.TypeReference => [SignatureTypes.Of(reader, (TypeReferenceHandle)handle)],
            HandleKind.TypeSpecification => reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(types, null),
            HandleKind.FieldDefinition => [SignatureTypes.Of(reader, reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType())],
            HandleKind.MethodDefinition => [SignatureTypes.Of(reader, reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType())],
            HandleKind.MemberReference => Member(reader, reader.GetMemberReference((MemberReferenceHandle)handle)),
            HandleKind.MethodSpecification => Instantiation(reader, reader.GetMethodSpecification((MethodSpecificationHandle)handle)),
            HandleKind.StandaloneSignature => Signature(reader.GetStandaloneSignature((StandaloneSignatureHandle)handle).DecodeMethodSignature(types, null)),
            _ => [],
        };
    }

    private static IEnumerable<TypeName> Member(MetadataReader reader, MemberReference member)
    {
        var signature = member.GetKind() == MemberReferenceKind.Field
            ? member.DecodeFieldSignature(SignatureTypes.Instance, null)
            : Signature(member.DecodeMethodSignature(SignatureTypes.Instance, null));
        return Entity(reader, member.Parent).Concat(signature);
    }

    private static IEnumerable<TypeName> Instantiation(MetadataReader reader, MethodSpecification method) =>
        Entity(reader, method.Method).Concat(method.DecodeSignature(SignatureTypes.Instance, null).SelectMany(argument => argument));

    private static IEnumerable<TypeName> Signature(MethodSignature<System.Collections.Immutable.ImmutableArray<TypeName>> signature) =>
        signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(parameter => parameter));

    private static IEnumerable<TypeName> Constraints(MetadataReader reader, GenericParameterHandleCollection parameters) =>
        parameters.SelectMany(parameter => reader.GetGenericParameter(parameter).GetConstraints())
            .SelectMany(constraint => Entity(reader, reader.GetGenericParameterConstraint(constraint).Type));

    private static IEnumerable<TypeName> Attributes(MetadataReader reader, CustomAttributeHandleCollection attributes) =>
        attributes.SelectMany(attribute => Entity(reader, reader.GetCustomAttribute(attribute).Constructor));
}
