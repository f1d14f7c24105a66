using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class AuthorizationMatrixOnSqlite() : AuthorizationMatrixTests(new SqliteTarget());
