using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FlagApi.Documentation;

/// <summary>
/// The sizes and vocabularies the service enforces on what clients send, written into the OpenAPI document so it says
/// what the validation code does (Spectral's OWASP rules, API4:2023, ask every string, array and integer a client sends
/// to be bounded). Each capability declares its own beside its contracts (an <see cref="ApiDeclaration"/> in its folder);
/// this gathers them. <c>OpenApiContractTests</c> sends one over a documented limit to prove it.
/// A field missing from every declaration fails <c>.ci/run</c>'s lint rather than being given a made-up bound.
/// </summary>
internal static class ApiDocsLimits
{
    public static void Describe(OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo is { DeclaringType: var record, Name: var member }
                && Declared(context.ApplicationServices).Members.TryGetValue((record, member), out var limit))
            {
                Apply(schema, limit, context.ApplicationServices);
            }

            BoundInteger(schema, context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var services = context.ApplicationServices;
            var declared = Declared(services);
            foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
            {
                if (parameter.Schema is not OpenApiSchema schema || parameter.Name is not { } name)
                {
                    continue;
                }

                if (declared.Parameters.TryGetValue((operation.OperationId ?? string.Empty, name), out var limit)
                    || declared.ParametersByName.TryGetValue(name, out limit))
                {
                    Apply(schema, limit, services);
                }

                BoundInteger(schema, context.Description.ParameterDescriptions.FirstOrDefault(p => p.Name == name)?.Type);
            }

            return Task.CompletedTask;
        });
    }

    private static ApiDeclarations Declared(IServiceProvider services) => services.GetRequiredService<ApiDeclarations>();

    private static void Apply(OpenApiSchema schema, Limit limit, IServiceProvider services)
    {
        if (limit.Type is { } type)
        {
            // Keep "null" where the schema had it: these parameters are optional.
            schema.Type = type | ((schema.Type ?? 0) & JsonSchemaType.Null);
            schema.Pattern = null;
            schema.MaxLength = null;
            schema.Format = type == JsonSchemaType.Number ? "double" : null;
        }

        if (limit.Minimum is { } minimum)
        {
            var text = minimum(services).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (limit.MinimumExclusive)
            {
                schema.ExclusiveMinimum = text;
            }
            else
            {
                schema.Minimum = text;
            }
        }

        if (limit.Maximum is { } maximum)
        {
            var most = maximum(services);
            schema.Maximum = most.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (limit.Type == JsonSchemaType.Integer)
            {
                schema.Format = most > int.MaxValue ? "int64" : "int32";
            }
        }

        if (limit.MaxLength is { } maxLength)
        {
            schema.MaxLength = (int)Math.Min(int.MaxValue, maxLength(services));
        }

        if (limit.Enum is { } values)
        {
            schema.Enum = [.. values().Order(StringComparer.Ordinal).Select(v => (JsonNode)JsonValue.Create(v))];
        }

        if (limit.MaxItems is { } maxItems)
        {
            schema.MaxItems = (int)Math.Min(int.MaxValue, maxItems(services));
        }

        if (limit.Pattern is { } pattern)
        {
            schema.Pattern = pattern;
        }

        if (limit.Format is { } format)
        {
            schema.Format = format;
        }

        if (limit.Each is { } each && schema.Items is OpenApiSchema items)
        {
            Apply(items, each, services);
        }
    }

    /// <summary>
    /// An integer is refused outside its .NET type's range (the JSON reader and the route constraint cannot
    /// hold it). Read from strings too, its text is at most the type's longest: the sign and the digits.
    /// </summary>
    private static void BoundInteger(OpenApiSchema schema, Type? type)
    {
        if (schema.Type is not { } kind || !kind.HasFlag(JsonSchemaType.Integer))
        {
            return;
        }

        var clr = type is null ? typeof(long) : Nullable.GetUnderlyingType(type) ?? type;
        var (minimum, maximum) = clr switch
        {
            var t when t == typeof(int) => ((long)int.MinValue, (long)int.MaxValue),
            var t when t == typeof(short) => (short.MinValue, short.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        schema.Format ??= maximum > int.MaxValue ? "int64" : "int32";
        schema.Minimum ??= minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        schema.Maximum ??= maximum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (kind.HasFlag(JsonSchemaType.String))
        {
            schema.MaxLength ??= minimum.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }
    }
}
