using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class AuthorizationMatrixOnPostgres(PostgresTarget target) : AuthorizationMatrixTests(target), IClassFixture<PostgresTarget>;
