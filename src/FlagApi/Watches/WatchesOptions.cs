using System.ComponentModel.DataAnnotations;

namespace FlagApi.Watches;

public sealed class WatchesOptions
{
    public const string Section = "Watches";

    /// <summary>How long the code mailed to confirm an address stays good.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Wrong codes a watch takes before its code is spent; a new subscription mails a new one.</summary>
    [Range(1, 20)]
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>How often the notifier reads the change log for identifiers that became flagged.</summary>
    public TimeSpan NotifyInterval { get; set; } = TimeSpan.FromSeconds(10);
}
