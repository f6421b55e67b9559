#!/usr/bin/env bash
# Installs the Debian packages of the real servers the tests start (OpenLDAP, PostgreSQL, OpenSSH, Samba AD) and
# the tools CI uses (faketime for the run with the clock a year ahead, Chromium for the dashboard browser test).
# Works as root (no sudo on a fresh machine) and as a normal user (through sudo). Does nothing on a machine without apt-get.
set -euo pipefail
packages=(slapd ldap-utils postgresql openssh-server samba-ad-dc samba-ad-provision ldb-tools faketime chromium)
if ! command -v apt-get >/dev/null; then
  echo "install-test-deps: no apt-get here; install these yourself: ${packages[*]}" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "install-test-deps: not root and no sudo: run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
