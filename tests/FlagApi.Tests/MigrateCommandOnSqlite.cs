using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class MigrateCommandOnSqlite() : MigrateCommandTests(new SqliteTarget());
