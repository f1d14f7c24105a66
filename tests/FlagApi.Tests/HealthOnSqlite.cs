using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HealthOnSqlite() : HealthTests(new SqliteTarget());
