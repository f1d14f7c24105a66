using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class SecurityHeadersOnPostgres(PostgresTarget target) : SecurityHeadersTests(target), IClassFixture<PostgresTarget>;
