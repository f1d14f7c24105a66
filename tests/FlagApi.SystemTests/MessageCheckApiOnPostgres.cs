using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class MessageCheckApiOnPostgres(PostgresTarget target) : MessageCheckApiTests(target), IClassFixture<PostgresTarget>;
