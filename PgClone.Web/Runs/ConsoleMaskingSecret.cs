using PgClone.Core;
using PgClone.Core.Masking;

namespace PgClone.Web.Runs;

/// <summary>
/// The key of keyed mask rules for runs of the console: <c>PgClone:MaskingSecret</c>, the same on every instance
/// (so a value masks alike whichever instance runs the clone). Read only when a keyed rule needs it.
/// </summary>
public sealed class ConsoleMaskingSecret(IConfiguration configuration)
{
    public const string Setting = "PgClone:MaskingSecret";

    public MaskingSecret Get() => configuration[Setting] is { Length: > 0 } text
        ? MaskingSecret.FromText(text)
        : throw new PgCloneException($"a mask rule needs the masking secret: set {Setting} (the same on every console instance)");
}
