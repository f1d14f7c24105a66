using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FlagApi.Data;
using Microsoft.Extensions.Options;

namespace FlagApi.Reports;

/// <summary>
/// Keyed hashes (HMAC-SHA256) of who reported and from which network, so one reporter is counted once and a burst from many
/// networks is visible, without the database ever holding an address or an app's user id.
/// </summary>
/// <remarks>
/// When <c>Reports:HashKey</c> is empty the key is generated once and kept in a file in the data folder rather than in the
/// database: the hash exists so that a copy of the database does not give the addresses away, and the whole IPv4 space is
/// only 2^32 guesses for whoever holds the key next to the hashes. The price is that several instances over one database
/// must be given the same key in the configuration, or each counts the same reporter anew: on PostgreSQL the options
/// validation therefore refuses to start without a configured key.
/// </remarks>
public sealed class ReporterHasher(IOptions<ReportsOptions> options, IOptions<DatabaseOptions> database, IHostEnvironment environment, ILogger<ReporterHasher> logger)
{
    public const string KeyFileName = "reports-hash.key";

    private readonly Lazy<byte[]> key = new(() => LoadKey(options.Value, database.Value, environment, logger));

    /// <summary>Reads or creates the key now, so a data folder that cannot be written stops the start rather than the first report.</summary>
    public void EnsureKey() => _ = key.Value;

    /// <summary>An app forwarding one of its users' reports: the user id only means something together with the key.</summary>
    public string AppUser(long keyId, string reporterId) => Hash($"app:{keyId}:{reporterId}");

    /// <summary>A keyed caller reporting for itself.</summary>
    public string Key(long keyId) => Hash($"key:{keyId}");

    /// <summary>An anonymous caller: its address, or its IPv6 /64, which one subscriber routinely holds whole.</summary>
    public string Address(IPAddress? address) => Hash("ip:" + RateLimiting.CallerRateLimiter.AddressPartition(address));

    /// <summary>The caller's network, IPv4 /24 or IPv6 /48: many reporters from one network look like one source to a reviewer.</summary>
    public string Network(IPAddress? address) => Hash("net:" + NetworkOf(address));

    internal static string NetworkOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            bytes[6..16].Clear();
            return new IPAddress(bytes[..16]).ToString() + "/48";
        }

        bytes[3] = 0;
        return new IPAddress(bytes[..written]).ToString() + "/24";
    }

    private string Hash(string subject) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key.Value, Encoding.UTF8.GetBytes(subject)));

    /// <summary>Where the generated key is kept when <c>Reports:HashKey</c> is empty: in the data folder, beside the SQLite file.</summary>
    public static string KeyFilePath(DatabaseOptions database, IHostEnvironment environment) =>
        Path.Combine(Path.GetFullPath(database.DataDirectory, environment.ContentRootPath), KeyFileName);

    private static byte[] LoadKey(ReportsOptions options, DatabaseOptions database, IHostEnvironment environment, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.HashKey))
        {
            return Encoding.UTF8.GetBytes(options.HashKey);
        }

        var path = KeyFilePath(database, environment);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        try
        {
            var generated = RandomNumberGenerator.GetBytes(32);
            using (var file = new FileStream(path, DurableFiles.OwnerOnly(FileMode.CreateNew)))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(Convert.ToBase64String(generated));
                writer.Flush();

                // On disk, name and all, before the first report is hashed with it: reports stored under a key a power
                // loss took back would no longer match their reporters.
                file.Flush(flushToDisk: true);
            }

            DurableFiles.SyncDirectory(folder);

            logger.LogInformation("Generated the reporter hash key in {Path}; set Reports:HashKey to share one between instances", path);
            return generated;
        }
        catch (IOException) when (File.Exists(path))
        {
            return ReadKey(path);
        }
    }

    /// <summary>Created earlier, or by another process starting at the same moment, which may not have written it yet.</summary>
    private static byte[] ReadKey(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var text = File.ReadAllText(path).Trim();
            if (text.Length > 0 && Convert.TryFromBase64String(text, new byte[text.Length], out var length) && length >= 16)
            {
                return Convert.FromBase64String(text);
            }

            if (attempt == 20)
            {
                throw new InvalidOperationException(
                    $"{path} does not hold a reporter hash key (base64, at least 16 bytes). Restore it, or set Reports:HashKey; deleting it makes every reporter count anew.");
            }

            Thread.Sleep(50);
        }
    }
}
