namespace FlagApi;

/// <summary>Endpoint metadata: the operation never reads or writes the database, so it cannot answer 503 database_unavailable.</summary>
public sealed class ServedWithoutDatabase
{
    public static readonly ServedWithoutDatabase Instance = new();

    private ServedWithoutDatabase()
    {
    }
}
