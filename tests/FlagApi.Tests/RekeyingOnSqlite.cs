using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class RekeyingOnSqlite() : RekeyingTests(new SqliteTarget());
