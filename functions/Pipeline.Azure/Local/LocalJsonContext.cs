using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Azure.Local;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LocalQueueEnvelope))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class LocalJsonContext : JsonSerializerContext;
