using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class HashPrefixCopyOnSqlite() : HashPrefixCopyTests(new SqliteTarget());
