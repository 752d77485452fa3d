using MudBlazor;

namespace PgClone.Web.Components.Layout;

/// <summary>The console's one theme (light and dark palettes) and where the user's choice is kept.</summary>
public static class PgCloneTheme
{
    public const string Cookie = "PgClone.Theme";

    public static bool IsDark(HttpContext? context) => context?.Request.Cookies[Cookie] == "dark";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#336791", // PostgreSQL blue
            Secondary = "#0f766e",
            AppbarBackground = "#336791",
            Background = "#f6f8fa",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb2e5",
            Secondary = "#2dd4bf",
            AppbarBackground = "#1e2a36",
        },
        Typography = new Typography
        {
            // No web fonts: the console must look right offline and under a strict CSP.
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "240px" },
    };
}
