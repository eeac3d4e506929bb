using System.Text.Json.Serialization;

namespace Pipeline.Azure.KeyVault;

internal sealed record UnwrapRequest(
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("value")] string Value);

[JsonSerializable(typeof(UnwrapRequest))]
internal sealed partial class KeyVaultJsonContext : JsonSerializerContext;
