using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class NotificationsOnSqlite() : NotificationTests(new SqliteTarget());
