using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Tests.Deployment;
using Json.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// Every answer of a test application is held to the checked-in openapi/v1.json: the status must be one its operation
/// declares, the content type one declared for that status, and a JSON body must validate against the declared schema
/// (JSON Schema 2020-12, JsonSchema.Net). Refusals count as much as successes. A mismatch is kept and fails the test
/// when it disposes its application (<see cref="FlagApiFactory.DisposeAsync"/>), naming the request and what was wrong.
/// Routes outside the document (the portal, Swagger UI, metrics, deprecated routes) are not checked.
/// </summary>
internal sealed class ResponseContract : IStartupFilter
{
    /// <summary>Larger bodies are not copied for checking (large list exports and snapshots of load tests).</summary>
    private const int MaxCheckedBytes = 4 * 1024 * 1024;

    private static readonly Lazy<JsonObject> Document = new(() =>
        JsonNode.Parse(File.ReadAllText(RepositoryFiles.PathOf("openapi", "v1.json")))!.AsObject());

    private static readonly ConcurrentDictionary<string, JsonSchema?> Schemas = new(StringComparer.Ordinal);

    private static int schemaNumber;

    private readonly ConcurrentQueue<string> violations = new();

    public IReadOnlyCollection<string> Violations => violations;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var original = context.Response.Body;
            var copy = new CappedCopy(original, MaxCheckedBytes);
            context.Response.Body = copy;
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                // What the app wrote through the response's PipeWriter reaches the copy before the original is put back.
                try
                {
                    await context.Response.BodyWriter.FlushAsync();
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
                {
                    // An aborted response: there is nothing more to pass on.
                }

                context.Response.Body = original;
            }

            try
            {
                // An aborted request's answer (499) never reached a client.
                if (!context.RequestAborted.IsCancellationRequested && Check(context, copy) is { } problem)
                {
                    violations.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} answered {context.Response.StatusCode}: {problem}");
                }
            }
            finally
            {
                copy.Release();
            }
        });
        next(app);
    };

    /// <summary>What is wrong with the answer by the document; null when it is as declared or the route is not in it.</summary>
    private static string? Check(HttpContext context, CappedCopy body)
    {
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        if (endpoint is not RouteEndpoint route || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)
        {
            return null;
        }

        var path = DocumentPath(route.RoutePattern);
        var method = context.Request.Method.ToLowerInvariant();
        if (Document.Value["paths"]?[path]?[method] is not JsonObject operation)
        {
            return null;
        }

        var status = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation["responses"]?[status] is not JsonObject response)
        {
            return $"{method.ToUpperInvariant()} {path} does not declare status {status}.";
        }

        if (body.Length == 0 || context.Request.Method == HttpMethods.Head)
        {
            return null;
        }

        var mediaType = (context.Response.ContentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
        if (response["content"]?[mediaType] is not JsonObject content)
        {
            return $"{method.ToUpperInvariant()} {path} declares no content type {mediaType} for {status}.";
        }

        if (body.Overflowed || content["schema"] is not JsonNode declared || !mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return null;
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body.Decoded(context.Response.Headers.ContentEncoding.ToString()));
        }
        catch (JsonException e)
        {
            return $"the {mediaType} body is not JSON: {e.Message}";
        }

        using (json)
        {
            var key = $"{path} {method} {status} {mediaType}";
            var schema = Schemas.GetOrAdd(key, _ => Build(declared));
            var result = schema!.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
            if (result.IsValid)
            {
                return null;
            }

            var errors = Failures(result).Take(6).Select(f => $"{f.InstanceLocation}: {string.Join(", ", f.Errors!.Values)} ({f.EvaluationPath})");
            var text = json.RootElement.GetRawText();
            return $"the body does not match {key}'s schema: {string.Join("; ", errors)}. Body: {(text.Length > 600 ? text[..600] + "…" : text)}";
        }
    }

    /// <summary>
    /// The failures that made <paramref name="result"/> invalid: only failed nodes are followed, so the other branch of a
    /// nullable member (<c>oneOf: [null, …]</c>), which fails whenever the member is valid, is never reported.
    /// </summary>
    private static IEnumerable<EvaluationResults> Failures(EvaluationResults result)
    {
        if (result.IsValid)
        {
            yield break;
        }

        if (result.Errors is { Count: > 0 })
        {
            yield return result;
        }

        foreach (var failure in (result.Details ?? []).SelectMany(Failures))
        {
            yield return failure;
        }
    }

    /// <summary>The document's path for a route: the template without constraints, without a trailing slash.</summary>
    private static string DocumentPath(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => string.Empty,
        })));
        return "/" + string.Join('/', segments);
    }

    /// <summary>
    /// The declared schema as a JSON Schema 2020-12 document of its own: the document's components become its
    /// <c>$defs</c>, so its references resolve within it.
    /// </summary>
    private static JsonSchema Build(JsonNode declared)
    {
        var components = Document.Value["components"]?["schemas"]?.DeepClone() ?? new JsonObject();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = components,
            ["allOf"] = new JsonArray(declared.DeepClone()),
        };
        var text = root.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        var id = new Uri($"https://flagapi.test/response/{Interlocked.Increment(ref schemaNumber)}");
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, id);
    }

    /// <summary>Writes through to the response and keeps a copy of up to a limit of bytes.</summary>
    private sealed class CappedCopy(Stream inner, int limit) : Stream
    {
        private readonly MemoryStream copy = new();

        public bool Overflowed { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => copy.Length + (Overflowed ? 1 : 0);

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Decoded(string encoding)
        {
            var bytes = copy.ToArray();
            Stream? decoder = encoding.Trim().ToLowerInvariant() switch
            {
                "gzip" => new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress),
                "br" => new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress),
                _ => null,
            };
            if (decoder is null)
            {
                return bytes;
            }

            using (decoder)
            {
                using var plain = new MemoryStream();
                decoder.CopyTo(plain);
                return plain.ToArray();
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        /// <summary>
        /// A handler may dispose the response body it was given (a StreamWriter over it, as the CSV answers do) and go on
        /// writing through the framework: the copy stays open until the check is done with it (<see cref="Release"/>).
        /// </summary>
        protected override void Dispose(bool disposing) => base.Dispose(disposing);

        public void Release() => copy.Dispose();

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            if (Overflowed)
            {
                return;
            }

            if (copy.Length + bytes.Length > limit)
            {
                Overflowed = true;
                return;
            }

            copy.Write(bytes);
        }
    }
}
