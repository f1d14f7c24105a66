using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class SecretStorageOnPostgres(PostgresTarget target) : SecretStorageTests(target), IClassFixture<PostgresTarget>;
