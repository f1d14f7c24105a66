using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>SmtpDeliveryTests on SQL Server (FLAGAPI_TEST_SQLSERVER; skipped with that reason where no engine is configured).</summary>
public sealed class SmtpDeliveryOnSqlServer(SqlServerTarget target) : SmtpDeliveryTests(target), IClassFixture<SqlServerTarget>;
