# FlagApi service image: built with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
# Configuration comes only from environment variables (Database__Provider, ConnectionStrings__FlagApi, Bootstrap__AdminKey, ...);
# nothing secret is baked in. tests/FlagApi.Tests/Deployment/ContainerFileTests.cs runs this file's restore and publish commands.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so the restore layer is reused until a project or package version changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/FlagApi.Identifiers/FlagApi.Identifiers.csproj src/FlagApi.Identifiers/
COPY src/FlagApi/FlagApi.csproj src/FlagApi/
RUN dotnet restore src/FlagApi/FlagApi.csproj --use-current-runtime -p:PublishReadyToRun=true
COPY src/FlagApi.Identifiers/ src/FlagApi.Identifiers/
COPY src/FlagApi/ src/FlagApi/
# ReadyToRun: the app's code is compiled ahead for the image's platform, so a start does not wait for the JIT (a third
# of a start-up's CPU at 1M entries); the runtime still tiers hot methods up. Framework-dependent, as the runtime image is.
RUN dotnet publish src/FlagApi/FlagApi.csproj --configuration Release --no-restore --use-current-runtime --self-contained false -p:PublishReadyToRun=true --output /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# The data folder (the SQLite database when it is the store, the index snapshot, the generated reporter hash key) is the
# only place the app writes besides /tmp, so the container can run with a read-only root filesystem.
RUN mkdir /data && chown 1654:1654 /data
VOLUME /data
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_hostBuilder__reloadConfigOnChange=false \
    Database__DataDirectory=/data
COPY --from=build /app .
# The image's own "app" user (APP_UID), by number so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 1654
EXPOSE 8080
# No curl or wget in this image: the app probes itself. The start period covers a first start that reads a large list
# from the database (no index snapshot yet in /data).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 CMD ["dotnet", "FlagApi.dll", "probe"]
ENTRYPOINT ["dotnet", "FlagApi.dll"]
