using System.Text.Json;
using Microsoft.Extensions.Options;

namespace FlagApi.Notifications;

/// <summary>
/// The SMS channel shipped: no carrier gateway is reachable from here, so each message is appended, as one JSON line, to
/// <c>Notifications:Sms:RecordFile</c> for an operator to send, and counts as delivered once the line is on disk. A
/// deployment with a gateway registers its own <see cref="INotificationChannel"/> named <c>sms</c> instead (README).
/// </summary>
public sealed class OperatorSmsChannel(IOptions<NotificationsOptions> options, IHostEnvironment environment) : INotificationChannel, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly SemaphoreSlim gate = new(1, 1);

    public string Name => NotificationChannels.Sms;

    public bool IsConfigured => true;

    /// <summary>The file the lines go to.</summary>
    public string FilePath => Path.GetFullPath(options.Value.Sms.RecordFile, environment.ContentRootPath);

    public async Task SendAsync(OutgoingNotification message, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(new SmsRecord(
            message.MessageId, message.CreatedAt, message.Recipient, message.Language, message.Template, $"{message.Subject}\n{message.Body}"), Json);
        var path = FilePath;
        await gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);

            // On disk before the row is marked sent: a crash after this line is what may repeat, never a lost message.
            file.Flush(flushToDisk: true);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    /// <summary>One line of the file: what the operator sends, to whom, and the id that tells a repeated line from a new message.</summary>
    public sealed record SmsRecord(string MessageId, DateTime CreatedAt, string Recipient, string Language, string Template, string Text);
}
