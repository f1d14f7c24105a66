# FlagApi service image: build with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
# Configuration comes only from environment variables (e.g. Database__Provider, ConnectionStrings__FlagApi).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/FlagApi.Identifiers/FlagApi.Identifiers.csproj src/FlagApi.Identifiers/
COPY src/FlagApi/FlagApi.csproj src/FlagApi/
RUN dotnet restore src/FlagApi/FlagApi.csproj
COPY src/ src/
RUN dotnet publish src/FlagApi/FlagApi.csproj --configuration Release --no-restore --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# The SQLite file (the default store) lives on a volume, so the image itself can run read-only.
RUN mkdir -p /data && chown app:app /data
VOLUME /data
ENV ASPNETCORE_URLS=http://+:8080 \
    Database__DataDirectory=/data
COPY --from=build /app .
USER app
EXPOSE 8080
ENTRYPOINT ["dotnet", "FlagApi.dll"]
