using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace FlagApi;

/// <summary>An evidence item of a request body that a plain JSON string stands for: the text item holding that string.</summary>
public interface ITextEvidence<TSelf>
{
    static abstract TSelf FromText(string text);
}

/// <summary>
/// Reads a request's <c>evidence</c> list, whose items are objects (<c>{"type":"text","text":…}</c>,
/// <c>{"type":"link","url":…}</c>) or plain strings, each string a text item. A person writes <c>["营业执照"]</c> before
/// reading the schema; the string is what they mean, and it is validated exactly as that text item would be.
/// </summary>
public sealed class EvidenceListConverter<TItem> : JsonConverter<IReadOnlyList<TItem?>>
    where TItem : class, ITextEvidence<TItem>
{
    public override IReadOnlyList<TItem?>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("evidence must be an array of strings or evidence objects.");
        }

        var items = new List<TItem?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType switch
            {
                JsonTokenType.String => TItem.FromText(reader.GetString()!),
                JsonTokenType.Null => null,
                JsonTokenType.StartObject => JsonSerializer.Deserialize<TItem>(ref reader, options),
                _ => throw new JsonException($"evidence[{items.Count}] must be a string or an evidence object."),
            });
        }

        return items;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<TItem?> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToList(), options);
}

/// <summary>
/// The document's view of <see cref="EvidenceListConverter{TItem}"/>: an array of the evidence object, whose descriptions
/// say that a plain string is taken as the text item holding it.
/// </summary>
/// <remarks>
/// The schema does not say <c>oneOf: [string, EvidenceItem]</c>. Kiota (1.38, the client journeys' generator) turns an array
/// whose items are any union of a string and an object (oneOf or anyOf, named or inline, or <c>type: [object, string]</c>)
/// into a list of strings, dropping the link items, and warns that the union has no discriminator. Generated clients send
/// the object, which is the whole of what the service accepts; people writing JSON by hand read the descriptions.
/// </remarks>
internal static class EvidenceOpenApi
{
    public static void Describe(OpenApiOptions options) => options.AddSchemaTransformer(async (schema, context, cancellationToken) =>
    {
        var lists = context.ApplicationServices.GetRequiredService<IOptions<EvidenceListsOptions>>().Value.Lists;
        if (context.JsonPropertyInfo is { Name: "evidence", DeclaringType: var record } && lists.TryGetValue(record, out var list))
        {
            // The converter hides the item type from the generator; the item's schema, marked with its type, becomes its reference.
            schema.Type = JsonSchemaType.Array | JsonSchemaType.Null;
            schema.Items = await context.GetOrCreateSchemaAsync(list.Item, cancellationToken: cancellationToken);
            schema.Description = PlainText(list.MaxTextLength);
        }
        else if (context.JsonPropertyInfo is null && lists.Values.FirstOrDefault(l => l.Item == context.JsonTypeInfo.Type) is { Item: not null } item)
        {
            schema.Description = PlainText(item.MaxTextLength);
        }
    });

    private static string PlainText(int maxTextLength) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Evidence: {{\"type\":\"text\",\"text\":…}} or {{\"type\":\"link\",\"url\":\"https://…\"}}. A plain string is accepted too, " +
        $"as the text item holding it (\"营业执照\" is {{\"type\":\"text\",\"text\":\"营业执照\"}}), with its limits: at most {maxTextLength} characters.");
}

/// <summary>The requests whose <c>evidence</c> list <see cref="EvidenceOpenApi"/> describes, each declared by its capability.</summary>
public sealed class EvidenceListsOptions
{
    internal Dictionary<Type, (Type Item, int MaxTextLength)> Lists { get; } = [];
}

public static class EvidenceListsExtensions
{
    /// <summary>
    /// Declares that <typeparamref name="TRequest"/>'s <c>evidence</c> list holds <typeparamref name="TItem"/> items, read by
    /// <see cref="EvidenceListConverter{TItem}"/>, whose text is at most <paramref name="maxTextLength"/> characters.
    /// </summary>
    public static IServiceCollection AddEvidenceList<TRequest, TItem>(this IServiceCollection services, int maxTextLength)
        where TItem : class, ITextEvidence<TItem> =>
        services.Configure<EvidenceListsOptions>(o => o.Lists[typeof(TRequest)] = (typeof(TItem), maxTextLength));
}
