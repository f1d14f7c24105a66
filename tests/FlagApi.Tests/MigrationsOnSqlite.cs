using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class MigrationsOnSqlite() : MigrationTests(new SqliteTarget());
