using System.ComponentModel.DataAnnotations;

namespace FlagApi.Notifications;

/// <summary><c>Notifications</c>: how the outbox is delivered (docs/operations.md, "Notifications").</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Notifications";

    /// <summary>Deliver the outbox from this instance; every instance may, as each row is claimed with a lease.</summary>
    public bool SenderEnabled { get; set; } = true;

    /// <summary>How often the sender looks for due messages (it also looks right after a message is written here).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claimed row is this sender's; another sender takes it only after that (a crashed sender's rows).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts before a row is given up as <c>failed</c>.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The wait after the first failed attempt; it doubles after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows one pass claims at most.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    public SmtpOptions Smtp { get; set; } = new();

    public SmsOptions Sms { get; set; } = new();

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1, after <paramref name="attempts"/> failed ones.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = FirstRetryDelay.TotalMilliseconds * factor;
        return delay >= MaxRetryDelay.TotalMilliseconds ? MaxRetryDelay : TimeSpan.FromMilliseconds(delay);
    }
}

public enum SmtpSecurity
{
    /// <summary>Plain SMTP, e.g. a relay on the same host or network.</summary>
    None,

    /// <summary>STARTTLS is required (port 587); the connection fails rather than sending in the clear.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    Ssl,
}

public sealed class SmtpOptions
{
    /// <summary>The mail server; empty leaves e-mails pending in the outbox (a warning says so once).</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>The sender's address, e.g. <c>FlagApi &lt;appeals@example.org&gt;</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>Both or neither: the account the server authenticates, if it asks.</summary>
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>For connecting and for each command; keep it well under <see cref="NotificationsOptions.Lease"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class SmsOptions
{
    /// <summary>
    /// Where the shipped SMS channel writes each message for an operator to send (one JSON line each); relative to the
    /// content root. A carrier gateway channel replaces it (README, "Notifications").
    /// </summary>
    public string RecordFile { get; set; } = "data/sms-for-operator.jsonl";
}
