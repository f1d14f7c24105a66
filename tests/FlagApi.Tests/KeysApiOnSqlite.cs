using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class KeysApiOnSqlite() : KeysApiTests(new SqliteTarget());
