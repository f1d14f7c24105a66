using System.ComponentModel.DataAnnotations;

namespace FlagApi.Feed;

public sealed class FeedOptions
{
    public const string Section = "Feed";

    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <summary>The longest <c>state</c> the prefix feed reads; its own are 32 characters.</summary>
    public const int MaxPrefixStateLength = 200;

    /// <summary>The largest <c>maxEntries</c> a device may ask for.</summary>
    public const int MaxPrefixEntries = 100_000_000;

    /// <summary>The wait the feed recommends before the next poll once a client has caught up.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 30;

    /// <summary>The longest <c>?wait=</c> a long poll may ask for.</summary>
    [Range(0, 300)]
    public int MaxWaitSeconds { get; set; } = 30;

    /// <summary>How often entries whose expiry passed are marked expired (and so removed in the feed).</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The wait <c>GET /v1/feed/prefixes</c> asks a device to keep between two requests.</summary>
    [Range(1, 86_400)]
    public int PrefixMinimumWaitSeconds { get; set; } = 300;

    /// <summary>How many changes of the whole prefix set are kept, so a device that many sets behind still gets a partial update.</summary>
    [Range(0, 10_000)]
    public int PrefixHistoryLength { get; set; } = 64;

    /// <summary>Memory for the capped sets (<c>maxEntries</c>) devices may hold, kept whole so their next update can be partial.</summary>
    [Range(0, long.MaxValue)]
    public long PrefixCappedMemoryBytes { get; set; } = 64L * 1024 * 1024;
}
