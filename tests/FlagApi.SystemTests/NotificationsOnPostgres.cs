using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class NotificationsOnPostgres(PostgresTarget target) : NotificationTests(target), IClassFixture<PostgresTarget>;
