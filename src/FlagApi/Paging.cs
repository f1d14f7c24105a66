using System.Globalization;

namespace FlagApi;

/// <summary>The <c>page</c> (from 1) and <c>pageSize</c> query parameters of every paged list, read as text so a bad one gets a clear 400.</summary>
public static class Paging
{
    public const string InvalidPage = "invalid_page";

    /// <param name="items">What is paged, for the sentence in the refusal ("entries", "appeals").</param>
    public static bool TryRead(string? page, string? pageSize, int defaultPageSize, int maxPageSize, string items, out int pageNumber, out int size, out string detail)
    {
        detail = string.Empty;
        size = 0;
        if (!TryNumber(page, 1, int.MaxValue, out pageNumber))
        {
            detail = $"'page' is a page number from 1; '{page}' is not.";
            return false;
        }

        if (!TryNumber(pageSize ?? defaultPageSize.ToString(CultureInfo.InvariantCulture), 1, maxPageSize, out size))
        {
            detail = $"'pageSize' is a number of {items} from 1 to {maxPageSize}; '{pageSize}' is not.";
            return false;
        }

        if ((long)(pageNumber - 1) * size > int.MaxValue)
        {
            detail = $"Page {pageNumber} of {size} {items} is beyond anything this service holds.";
            return false;
        }

        return true;
    }

    private static bool TryNumber(string? text, int min, int max, out int value)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            value = min;
            return true;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
