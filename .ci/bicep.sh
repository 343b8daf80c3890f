#!/usr/bin/env bash
# Compiles and lints infra/main.bicep with the real Bicep CLI, restored from NuGet (no Azure access needed).
# Usage: .ci/bicep.sh            (from anywhere; works on the repo that contains this script; needs node)
#        It also writes deployment snapshots of test/infra-scenarios/*.bicepparam to dist/infra/snapshots/.
#        .ci/run calls it before `npm test`: test/infra/template.test.ts reads dist/infra/main.json (and fails without it when CI is set).
# Env:   BICEP_VERSION           (default below), BICEP_CACHE_DIR (default <repo>/.bicep)
# Exit:  non-zero on any compiler/linter error or warning.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${BICEP_VERSION:-0.49.2}"
cache="${BICEP_CACHE_DIR:-$repo/.bicep}"
package="azure.bicep.commandline.linux-x64"
bicep="$cache/packages/$package/$version/tools/bicep"

if [[ ! -x "$bicep" ]]; then
  command -v dotnet >/dev/null || { echo "bicep.sh: dotnet SDK not found; it is needed once to restore the Bicep CLI" >&2; exit 1; }
  echo "bicep.sh: restoring Bicep CLI $version from NuGet into $cache"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/restore-bicep.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Azure.Bicep.CommandLine.linux-x64" Version="$version" />
  </ItemGroup>
</Project>
CSPROJ
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    dotnet restore "$work/restore-bicep.csproj" --packages "$cache/packages" --verbosity quiet
  [[ -f "$bicep" ]] || { echo "bicep.sh: restore finished but $bicep is missing" >&2; exit 1; }
  chmod +x "$bicep"
fi

# Build, lint and the deployment snapshots in one Bicep CLI process (`bicep jsonrpc --stdio`, driven by
# scripts/bicep-rpc.mjs): the same checks as `bicep build`, `bicep lint` and `bicep snapshot` per file, without a .NET
# start and JIT for each. Any diagnostic, warning or error, fails the run; dist/infra/main.json is written only clean.
# The snapshots: the CLI evaluates the template offline for each test/infra-scenarios/*.bicepparam (conditions,
# parameters, modules) and predicts the resources ARM would deploy, into dist/infra/snapshots/; tests read them
# (test/infra/flex.test.ts). Placeholder ids, no Azure call.
command -v node >/dev/null || { echo "bicep.sh: node not found; it drives the Bicep CLI" >&2; exit 1; }
node "$repo/scripts/bicep-rpc.mjs" "$bicep"
