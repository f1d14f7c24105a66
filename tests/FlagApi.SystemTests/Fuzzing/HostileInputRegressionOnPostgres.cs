using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Fuzzing;

public sealed class HostileInputRegressionOnPostgres(PostgresTarget target) : HostileInputRegressionTests(target), IClassFixture<PostgresTarget>;
