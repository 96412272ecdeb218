#!/usr/bin/env bash
# Sets up a fresh checkout: installs pnpm if missing, the dependencies (from the lockfile) and
# builds every tool. Then the tools are in ./bin (add it to PATH) and `pnpm test` runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  # corepack cannot verify signatures on some machines; npm installs pnpm anywhere Node runs.
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile
pnpm run build

cat <<MSG

ipcutils is built. Run the tools from ./bin, e.g.:
  ./bin/ipcs -m
  ./bin/lsipc
or put them first on your PATH:
  export PATH="$PWD/bin:\$PATH"
MSG
