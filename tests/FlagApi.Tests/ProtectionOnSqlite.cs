using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ProtectionOnSqlite() : ProtectionTests(new SqliteTarget());
