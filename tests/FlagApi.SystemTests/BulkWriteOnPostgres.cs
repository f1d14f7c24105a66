using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class BulkWriteOnPostgres(PostgresTarget target) : BulkWriteTests(target), IClassFixture<PostgresTarget>;
