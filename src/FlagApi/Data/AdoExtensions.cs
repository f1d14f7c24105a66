using System.Data.Common;

namespace FlagApi.Data;

internal static class AdoExtensions
{
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is DateTime && parameter is Microsoft.Data.SqlClient.SqlParameter)
        {
            // SqlClient would send a DateTime as datetime (a 1/300 s clock); the columns are datetime2(7), .NET's ticks.
            parameter.DbType = System.Data.DbType.DateTime2;
        }

        command.Parameters.Add(parameter);
        return parameter;
    }

    public static DbCommand CreateCommand(this DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
