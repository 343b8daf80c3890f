#!/usr/bin/env bash
# Compiles and lints infra/main.bicep with the real Bicep CLI, restored from NuGet (no Azure access needed).
# Usage: .ci/bicep.sh            (from anywhere; works on the repo that contains this script)
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

export DOTNET_CLI_TELEMETRY_OPTOUT=1 BICEP_TRACING_ENABLED=false
echo "bicep.sh: $("$bicep" --version)"
mkdir -p "$repo/dist/infra"

# The compiler and linter print diagnostics on stderr; any line there (warning or error) fails the run.
run_quiet() {
  local log
  log="$(mktemp)"
  if ! "$@" 2>"$log"; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  if [[ -s "$log" ]]; then
    echo "bicep.sh: '$*' reported diagnostics (warnings are errors here):" >&2
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

cd "$repo"
# Build next to the target and move into place only when clean, so tests never read a template that failed lint.
rm -f dist/infra/main.json
run_quiet "$bicep" build infra/main.bicep --outfile dist/infra/main.json.tmp || { rm -f dist/infra/main.json.tmp; exit 1; }
run_quiet "$bicep" lint infra/main.bicep || { rm -f dist/infra/main.json.tmp; exit 1; }
mv dist/infra/main.json.tmp dist/infra/main.json
echo "bicep.sh: infra/main.bicep built to dist/infra/main.json and linted clean"

# Deployment snapshots: the Bicep CLI evaluates the template offline for each scenario (conditions, parameters, modules)
# and predicts the resources ARM would deploy; tests read them (test/infra/flex.test.ts). Placeholder ids, no Azure call.
rm -rf dist/infra/snapshots
mkdir -p dist/infra/snapshots
for scenario in test/infra-scenarios/*.bicepparam; do
  name="$(basename "$scenario" .bicepparam)"
  run_quiet "$bicep" snapshot "$scenario" --mode overwrite --location westeurope \
    --tenant-id 00000000-0000-0000-0000-0000000000aa --subscription-id 00000000-0000-0000-0000-0000000000bb || exit 1
  mv "test/infra-scenarios/$name.snapshot.json" "dist/infra/snapshots/$name.json"
done
echo "bicep.sh: deployment snapshots of $(ls dist/infra/snapshots | wc -l) scenarios in dist/infra/snapshots"
