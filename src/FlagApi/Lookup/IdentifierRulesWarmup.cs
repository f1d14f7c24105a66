using FlagApi.Identifiers;

namespace FlagApi.Lookup;

/// <summary>
/// Builds the identifier rules' tables (libphonenumber's metadata and China's number patterns, the Public Suffix List)
/// in the background as the service starts, so the first lookups and lists do not pay for them.
/// </summary>
internal sealed class IdentifierRulesWarmup(ILogger<IdentifierRulesWarmup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(
            () =>
            {
                try
                {
                    foreach (var (kind, sample) in new[]
                    {
                        (IdentifierKind.Phone, "13800138000"), (IdentifierKind.Phone, "010-87654321"), (IdentifierKind.Phone, "400-123-4567"),
                        (IdentifierKind.Domain, "example.com.cn"), (IdentifierKind.Url, "http://example.com/"),
                    })
                    {
                        Identifier.Canonicalize(kind, sample);
                    }

                    Phones.Describe("+8613800138000");
                    PublicSuffixes.IsPublicSuffix("com.cn");
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Preparing the identifier rules failed; they are built on first use instead");
                }
            },
            CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
