#!/usr/bin/env bash
# Installs the Debian packages DriverDesk needs that are not there yet.
#   scripts/install-packages.sh run    what building and running need
#   scripts/install-packages.sh test   that, plus what the tests, the benchmark and the scripts run
#   scripts/install-packages.sh list   prints every package name, one a line (for ToolPackageTests)
set -euo pipefail
purpose=${1:-run}

run_packages=(pkg-config libsqlite3-dev libqrencode-dev zlib1g-dev libcrypt-dev)
# Every program the tests, the benchmark and the scripts run comes from one of these (the preflight,
# scripts/preflight.sh, proves each one works; ToolPackageTests checks every absolute tool path against this list):
#   sqlite3 (the "nothing written" dumps), zbar-tools (zbarimg), imagemagick (convert) with librsvg2-bin (rsvg-convert,
#   ImageMagick's SVG delegate: without it `convert x.svg` fails), qrencode (the benchmark's yardstick), chromium and
#   chromium-driver (the printed slips and the browser tests), fonts-noto-cjk (Chinese glyphs), fontconfig (fc-list, fc-match: the preflight),
#   poppler-utils (pdfinfo, pdftotext, pdftoppm, pdffonts), wrk (web load), time (GNU time, peak memory), curl (the
#   reliability suite's web requests), coreutils, bash, util-linux, libc-bin and dpkg (sha256sum, env, setpriv, runuser,
#   iconv, dpkg -S), postgresql-15 and postgresql-client-15 (initdb, pg_ctl and psql for the throwaway PostgreSQL 15
#   of the chain's tests, scripts/pg-throwaway.sh; btree_gist comes with the server), bsdutils (script: a terminal for
#   the test of the password prompt).
test_packages=(sqlite3 zbar-tools imagemagick librsvg2-bin qrencode chromium chromium-driver fonts-noto-cjk fontconfig
  poppler-utils wrk time curl coreutils bash util-linux libc-bin dpkg postgresql-15 postgresql-client-15 bsdutils)

case "$purpose" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  list) printf '%s\n' "${run_packages[@]}" "${test_packages[@]}"; exit 0 ;;
  *) echo "usage: scripts/install-packages.sh run|test|list" >&2; exit 2 ;;
esac

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
