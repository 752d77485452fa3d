using PgClone.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddPgClone();

var app = builder.Build();
app.MapPgClone();
return await app.RunPgCloneAsync();

public partial class Program;
