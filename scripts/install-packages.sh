#!/usr/bin/env bash
# Installs the Debian packages DriverDesk needs that are not there yet.
#   scripts/install-packages.sh run    what building and running need
#   scripts/install-packages.sh test   that, plus what the tests need
set -euo pipefail
purpose=${1:-run}

run_packages=(pkg-config libsqlite3-dev libqrencode-dev zlib1g-dev libcrypt-dev)
test_packages=(sqlite3 zbar-tools imagemagick qrencode chromium fonts-noto-cjk poppler-utils wrk time)

packages=("${run_packages[@]}")
[ "$purpose" = test ] && packages+=("${test_packages[@]}")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to install ${missing[*]}" >&2; exit 3; }
  sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
