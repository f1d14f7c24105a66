using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class FlagNoticeOnPostgres(PostgresTarget target) : FlagNoticeTests(target), IClassFixture<PostgresTarget>;
