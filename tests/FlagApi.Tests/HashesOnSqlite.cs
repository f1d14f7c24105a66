using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HashesOnSqlite() : HashesTests(new SqliteTarget());
