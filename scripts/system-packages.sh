#!/usr/bin/env bash
# Install the Debian packages listed in scripts/apt-packages.txt that are not installed yet.
# A no-op when all are present; otherwise one `apt-get update`, then one `apt-get install`.
# Runs as root as it is, or through sudo for another user.
set -euo pipefail

list="$(dirname "${BASH_SOURCE[0]}")/apt-packages.txt"
read -r -a wanted <<<"$(sed 's/#.*//' "$list" | tr -s '[:space:]' ' ')"

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "system-packages: all ${#wanted[@]} listed package(s) present"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "system-packages: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
