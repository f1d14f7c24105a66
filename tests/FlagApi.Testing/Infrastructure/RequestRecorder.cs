namespace FlagApi.Tests.Infrastructure;

/// <summary>Keeps what a client sends (method, path and query, body), to show what the service is told.</summary>
public sealed class RequestRecorder : DelegatingHandler
{
    private readonly List<string> seen;

    /// <param name="seen">Gets one line a request: <c>POST /v1/hashes {"prefixes":["1a2b3"]}</c>.</param>
    /// <param name="inner">Sends the requests on; none when the handler goes into a pipeline that sets it (<c>CreateDefaultClient</c>).</param>
    public RequestRecorder(List<string> seen, HttpMessageHandler? inner = null)
    {
        this.seen = seen;
        if (inner is not null)
        {
            InnerHandler = inner;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (seen)
        {
            seen.Add($"{request.Method} {request.RequestUri!.PathAndQuery} {body}");
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
