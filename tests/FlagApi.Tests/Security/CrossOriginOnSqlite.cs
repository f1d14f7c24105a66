using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class CrossOriginOnSqlite() : CrossOriginTests(new SqliteTarget());
