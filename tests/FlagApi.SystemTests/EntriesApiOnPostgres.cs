using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class EntriesApiOnPostgres(PostgresTarget target) : EntriesApiTests(target), IClassFixture<PostgresTarget>;
