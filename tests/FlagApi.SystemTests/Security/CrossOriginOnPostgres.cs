using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class CrossOriginOnPostgres(PostgresTarget target) : CrossOriginTests(target), IClassFixture<PostgresTarget>;
