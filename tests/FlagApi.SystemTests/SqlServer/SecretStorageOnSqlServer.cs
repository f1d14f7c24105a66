using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

/// <summary>SecretStorageTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class SecretStorageOnSqlServer(SqlServerTarget target) : SecretStorageTests(target), IClassFixture<SqlServerTarget>;
