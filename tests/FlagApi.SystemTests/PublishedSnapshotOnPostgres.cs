using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class PublishedSnapshotOnPostgres(PostgresTarget target) : PublishedSnapshotTests(target), IClassFixture<PostgresTarget>;
