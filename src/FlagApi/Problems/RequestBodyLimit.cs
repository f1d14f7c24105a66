using Microsoft.AspNetCore.Http.Features;

namespace FlagApi.Problems;

/// <summary>Endpoint metadata naming which configured body limit applies (<c>Limits:*</c>).</summary>
public sealed record RequestBodyLimit(string Name)
{
    public const string Default = "MaxRequestBodyBytes";
    public const string BatchLookup = "MaxBatchLookupBodyBytes";
    public const string List = "MaxListBodyBytes";
    public const string Appeal = "MaxAppealBodyBytes";
}

public sealed class LimitsOptions
{
    public const string Section = "Limits";

    [System.ComponentModel.DataAnnotations.Range(1, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    [System.ComponentModel.DataAnnotations.Range(1, long.MaxValue)]
    public long MaxBatchLookupBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>A published list of up to 100,000 rows, long URLs included.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, long.MaxValue)]
    public long MaxListBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>An appeal with its attachments, base64 in the JSON (4/3 of their size): five of 2 MiB and the text.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, long.MaxValue)]
    public long MaxAppealBodyBytes { get; set; } = 16 * 1024 * 1024;

    public long For(string name) => name switch
    {
        RequestBodyLimit.Appeal => MaxAppealBodyBytes,
        RequestBodyLimit.BatchLookup => MaxBatchLookupBodyBytes,
        RequestBodyLimit.List => MaxListBodyBytes,
        _ => MaxRequestBodyBytes,
    };
}

/// <summary>
/// Applies the endpoint's body limit whatever the server: a declared length over it is refused
/// before reading, and a chunked body is cut off where it passes it. Either way a 413 problem.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<LimitsOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var name = context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>()?.Name ?? RequestBodyLimit.Default;
        var limit = options.Value.For(name);
        if (context.Request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        // A request without a body (a lookup's GET) has nothing to count: no stream is wrapped for it.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return next(context);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        context.Request.Body = new LimitedReadStream(context.Request.Body, limit);
        return next(context);
    }

    internal static ProblemException TooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge,
        ProblemCodes.BodyTooLarge,
        "The request body is too large",
        $"The request body is larger than the {limit} bytes this endpoint accepts.");

    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int n)
        {
            read += n;
            return read > limit ? throw TooLarge(limit) : n;
        }
    }
}
