using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class IndexSnapshotOnPostgres(PostgresTarget target) : IndexSnapshotTests(target), IClassFixture<PostgresTarget>;
