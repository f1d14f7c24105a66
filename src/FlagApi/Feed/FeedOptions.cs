using System.ComponentModel.DataAnnotations;

namespace FlagApi.Feed;

public sealed class FeedOptions
{
    public const string Section = "Feed";

    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <summary>The wait the feed recommends before the next poll once a client has caught up.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 30;

    /// <summary>The longest <c>?wait=</c> a long poll may ask for.</summary>
    [Range(0, 300)]
    public int MaxWaitSeconds { get; set; } = 30;

    /// <summary>How often entries whose expiry passed are marked expired (and so removed in the feed).</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
