using System.ComponentModel.DataAnnotations;

namespace FlagApi.Appeals;

public sealed class AppealsOptions
{
    public const string Section = "Appeals";

    /// <summary>How long a decision may take (docs/product.md: default 72 hours); an appeal's <c>dueBy</c> is its creation plus this.</summary>
    public TimeSpan ServiceLevel { get; set; } = TimeSpan.FromHours(72);

    /// <summary>After a rejection, how long the same appellant cannot appeal the same identifier again.</summary>
    public TimeSpan RejectionCooldown { get; set; } = TimeSpan.FromDays(30);

    [Range(0, 20)]
    public int MaxAttachments { get; set; } = 5;

    /// <summary>Largest attachment (an image or a PDF), in bytes.</summary>
    [Range(1, 20 * 1024 * 1024)]
    public int MaxAttachmentBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Most appeals one bulk decision may cover.</summary>
    [Range(1, 100_000)]
    public int MaxBulkDecision { get; set; } = 1000;
}
