using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FlagApi.Portal;

/// <summary>One file of the portal, ready to send.</summary>
public sealed record PortalAsset(byte[] Content, string ContentType, string ETag);

/// <summary>
/// The portal's files, embedded in the assembly (so a published or containerised service carries them
/// with no content folder) and read once at start, with the deployment's official address written into the pages.
/// </summary>
public sealed class PortalSite
{
    private const string ResourcePrefix = "Portal.site.";

    /// <summary>
    /// Nothing but this origin's own files: no inline script or style, no fonts or CDNs (the portal must work
    /// on an intranet), no framing, and Trusted Types so no page can turn text into markup.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    private readonly Dictionary<string, PortalAsset> assets = new(StringComparer.Ordinal);

    public PortalSite(IOptions<PortalOptions> options, IOptions<Appeals.AppealsOptions> appeals)
    {
        var assembly = typeof(PortalSite).Assembly;

        // What pages are told of this deployment, written into their <meta> tags.
        var markers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["%OFFICIAL_ADDRESS%"] = System.Net.WebUtility.HtmlEncode(options.Value.OfficialAddress),
            ["%APPEAL_MAX_ATTACHMENTS%"] = appeals.Value.MaxAttachments.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["%APPEAL_MAX_ATTACHMENT_BYTES%"] = appeals.Value.MaxAttachmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..].Replace('\\', '/');
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            if (name.EndsWith(".html", StringComparison.Ordinal))
            {
                var html = Encoding.UTF8.GetString(content);
                foreach (var (marker, value) in markers)
                {
                    html = html.Replace(marker, value, StringComparison.Ordinal);
                }

                content = Encoding.UTF8.GetBytes(html);
            }

            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            assets[name] = new PortalAsset(content, contentType, etag);
        }
    }

    /// <summary>Every file the portal serves, by its path under <c>/portal/</c>.</summary>
    public IReadOnlyCollection<string> Files => assets.Keys;

    public bool TryGet(string file, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PortalAsset? asset) =>
        assets.TryGetValue(file, out asset);
}
