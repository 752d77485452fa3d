# The PgClone console for machines with Docker (see docker-compose.yml). The image has no PostgreSQL server
# binaries, so it needs ConnectionStrings__PgClone (no embedded mode).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish PgClone.Web/PgClone.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "PgClone.Web.dll"]
