using Microsoft.Kiota.Abstractions;

namespace FlagApi.ClientJourney.Generated;

/// <summary>
/// The adapter the generated client sends through. Kiota's C# generator writes one method per operation, for its JSON
/// content type only, even where the document offers CSV too; a Kiota client sends and reads CSV by taking the generated
/// builder's request (its URL template, query parameters and headers) to the adapter itself (<see cref="CsvRequests"/>).
/// </summary>
public partial class FlagApiClient
{
    public IRequestAdapter Adapter => RequestAdapter;
}
