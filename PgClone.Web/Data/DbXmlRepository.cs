using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace PgClone.Web.Data;

/// <summary>
/// Keeps the Data Protection key ring in the PgClone database, so every console instance on it can read the
/// connection passwords and cookies the others wrote.
/// </summary>
/// <remarks>
/// Data Protection builds its key manager while the pipeline is wired, before the embedded server runs, so the
/// context factory is resolved only when keys are first read or written.
/// </remarks>
public sealed class DbXmlRepository(IServiceProvider services) : IXmlRepository
{
    private IDbContextFactory<PgCloneDbContext> Factory => services.GetRequiredService<IDbContextFactory<PgCloneDbContext>>();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = Factory.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = Factory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
