#!/usr/bin/env bash
# Sets up a fresh checkout, as root or as an ordinary user: pnpm at the version package.json's
# packageManager pins (installed under .tools/ when missing: never globally, nothing outside the
# clone), the dependencies from the lockfile, and every tool built. Then the tools are in ./bin
# (add it to PATH) and `pnpm test` runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1].split("+")[0]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  # corepack cannot verify signatures on some machines; npm installs pnpm anywhere Node runs.
  if [ ! -x .tools/bin/pnpm ] || [ "$(.tools/bin/pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    npm install --global --prefix .tools --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$PWD/.tools/bin:$PATH"
  PNPM_HINT="pnpm is in $PWD/.tools/bin: export PATH=\"$PWD/.tools/bin:\$PATH\""
fi

pnpm install --frozen-lockfile
pnpm run build

cat <<MSG

ipcutils is built.${PNPM_HINT:+
$PNPM_HINT}
Run the tools from ./bin, e.g.:
  ./bin/ipcs -m
  ./bin/lsipc
or install them, with their manual pages and completions (see README.md):
  pnpm run install-global
MSG
