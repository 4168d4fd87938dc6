#!/usr/bin/env bash
# Proves that every program the tests, the benchmark and the scripts run works on this machine, before a
# single Swift test runs (`make test` calls it after scripts/install-packages.sh test).
#
# Each tool does one tiny real job: rasterise an SVG, decode a QR code, print a page with Chinese text to PDF
# and read it back, load a web server for a second, and so on. The first that fails stops the run with one line:
#   preflight: <tool> <what it could not do> (package <name>: scripts/install-packages.sh test installs it)
# An installed package is not enough: ImageMagick without librsvg2-bin is installed and still cannot read an SVG.
set -u
work=$(mktemp -d "${TMPDIR:-/tmp}/driverdesk-preflight.XXXXXX")
chromedriver_pid=""
pg_folder=""
cleanup() {
  [ -n "$chromedriver_pid" ] && kill "$chromedriver_pid" 2>/dev/null && wait "$chromedriver_pid" 2>/dev/null
  [ -n "$pg_folder" ] && "$root/scripts/pg-throwaway.sh" stop "$pg_folder" >/dev/null 2>&1
  rm -rf "$work"
}
root=$(cd "$(dirname "$0")/.." && pwd)
trap cleanup EXIT
cd "$work" || exit 3

checked=0
fail() { # tool, what it could not do, package
  echo "preflight: $1 $2 (package $3: scripts/install-packages.sh test installs it)" >&2
  [ -s "$work/err" ] && sed 's/^/  | /' "$work/err" | head -5 >&2
  exit 1
}
ok() { checked=$((checked + 1)); }
# `need PATH PACKAGE`: the program is there and executable.
need() { [ -x "$1" ] || { : >"$work/err"; fail "$1" "is missing" "$2"; }; }

# The shells and the basic tools the tests call by absolute path.
need /usr/bin/env coreutils
/usr/bin/env bash -c 'exit 7' 2>"$work/err"; [ $? -eq 7 ] || fail /usr/bin/env "cannot run bash" "coreutils and bash"; ok
need /usr/bin/sha256sum coreutils
[ "$(printf abc | /usr/bin/sha256sum 2>"$work/err" | cut -c1-16)" = ba7816bf8f01cfea ] || fail /usr/bin/sha256sum "hashes 'abc' wrongly" coreutils; ok
# script (bsdutils): the password prompt's test runs `driverdesk user add` on a terminal of its own.
need /usr/bin/script bsdutils
[ "$(/usr/bin/script -qec 'test -t 0 && echo tty' /dev/null </dev/null 2>"$work/err" | tr -d '\r')" = tty ] \
  || fail /usr/bin/script "cannot run a program on a terminal" bsdutils; ok
need /usr/bin/setpriv util-linux
[ "$(/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/id -u 2>"$work/err")" = 65534 ] \
  || fail /usr/bin/setpriv "cannot run a program as another user" util-linux; ok
need /usr/bin/iconv libc-bin
[ "$(printf '京' | /usr/bin/iconv -f UTF-8 -t GB18030 2>"$work/err" | od -An -tx1 | tr -d ' \n')" = bea9 ] \
  || fail /usr/bin/iconv "cannot write GB18030" libc-bin; ok

# sqlite3: the "nothing written" checks dump whole databases with it.
need /usr/bin/sqlite3 sqlite3
[ "$(/usr/bin/sqlite3 -batch "$work/x.sqlite" 'CREATE TABLE t(a); INSERT INTO t VALUES (41); SELECT a + 1 FROM t;' 2>"$work/err")" = 42 ] \
  || fail /usr/bin/sqlite3 "cannot make and read a database" sqlite3
/usr/bin/sqlite3 "$work/x.sqlite" .dump 2>"$work/err" | grep -q 'CREATE TABLE t' || fail /usr/bin/sqlite3 "cannot dump a database" sqlite3; ok

# qrencode and zbarimg: make a QR code with Chinese text and decode it back.
need /usr/bin/qrencode qrencode
need /usr/bin/zbarimg zbar-tools
payload='DriverDesk 京A12345'
/usr/bin/qrencode -8 -o "$work/qr.png" "$payload" 2>"$work/err" && [ -s "$work/qr.png" ] || fail /usr/bin/qrencode "cannot write a QR PNG" qrencode; ok
[ "$(/usr/bin/zbarimg -q --raw -Sbinary "$work/qr.png" 2>"$work/err")" = "$payload" ] || fail /usr/bin/zbarimg "cannot decode a QR PNG" zbar-tools; ok

# SVG: rsvg-convert on its own, then ImageMagick's convert, which hands SVG to it (its delegate).
need /usr/bin/rsvg-convert librsvg2-bin
need /usr/bin/convert imagemagick
cat >"$work/box.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">
<rect x="0" y="0" width="20" height="20" fill="black"/><rect x="20" y="0" width="20" height="20" fill="white"/>
</svg>
SVG
/usr/bin/rsvg-convert -o "$work/box-rsvg.png" "$work/box.svg" 2>"$work/err" && [ -s "$work/box-rsvg.png" ] \
  || fail /usr/bin/rsvg-convert "cannot rasterise an SVG" librsvg2-bin; ok
[ "$(/usr/bin/convert "svg:$work/box.svg" -format '%wx%h %k' info: 2>"$work/err")" = "40x20 2" ] \
  || fail /usr/bin/convert "cannot rasterise an SVG (ImageMagick's SVG delegate is rsvg-convert)" "imagemagick and librsvg2-bin"; ok
/usr/bin/qrencode -8 -t SVG -o "$work/qr.svg" "$payload" 2>"$work/err" && /usr/bin/convert -density 144 "svg:$work/qr.svg" "png:$work/qr-svg.png" 2>"$work/err" \
  && [ "$(/usr/bin/zbarimg -q --raw -Sbinary "$work/qr-svg.png" 2>"$work/err")" = "$payload" ] \
  || fail /usr/bin/convert "cannot rasterise a QR SVG that zbarimg decodes" "imagemagick and librsvg2-bin"; ok

# Fonts: a Chinese font for the slips and pages.
need /usr/bin/fc-list fontconfig
/usr/bin/fc-list :lang=zh family 2>"$work/err" | grep -q 'Noto Sans CJK' || fail /usr/bin/fc-list "finds no Noto Sans CJK font" fonts-noto-cjk; ok
need /usr/bin/fc-match fontconfig
/usr/bin/fc-match 'Noto Sans CJK SC:lang=zh-cn' file 2>"$work/err" | grep -q 'NotoSansCJK' || fail /usr/bin/fc-match "does not resolve 'Noto Sans CJK SC' to a Noto CJK file" fonts-noto-cjk; ok

# Chromium prints a page with Chinese text to PDF; poppler reads the text, the embedded font and renders it.
need /usr/bin/chromium chromium
for tool in pdfinfo pdftotext pdftoppm pdffonts; do need /usr/bin/$tool poppler-utils; done
cat >"$work/page.html" <<'HTML'
<!doctype html><meta charset="utf-8"><body style="font-family: 'Noto Sans CJK SC', sans-serif">备案非本人机动车 preflight</body>
HTML
timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$work/page.pdf" \
  "file://$work/page.html" >/dev/null 2>"$work/err" && [ -s "$work/page.pdf" ] || fail /usr/bin/chromium "cannot print a page to PDF" chromium
: >"$work/err"; ok
/usr/bin/pdfinfo "$work/page.pdf" 2>"$work/err" | grep -q '^Pages: *1$' || fail /usr/bin/pdfinfo "cannot read the printed PDF" poppler-utils; ok
/usr/bin/pdftotext "$work/page.pdf" - 2>"$work/err" | grep -q '备案非本人机动车' || fail /usr/bin/pdftotext "does not find the Chinese text in the printed PDF" poppler-utils; ok
# Chromium embeds every glyph it draws as a nameless Type 3 font: the printed page must carry one.
/usr/bin/pdffonts "$work/page.pdf" 2>"$work/err" | grep -qE 'Type 3 +Custom +yes' || fail /usr/bin/pdffonts "finds no embedded font in the printed PDF" poppler-utils; ok
/usr/bin/pdftoppm -png -r 30 -f 1 -l 1 "$work/page.pdf" "$work/page" 2>"$work/err" && ls "$work"/page-*.png >/dev/null 2>&1 \
  || fail /usr/bin/pdftoppm "cannot render the printed PDF" poppler-utils; ok

# chromedriver (the browser tests drive Chromium through it), curl and wrk against it, GNU time.
need /usr/bin/chromedriver chromium-driver
need /usr/bin/curl curl
need /usr/bin/wrk wrk
port=$(( 20000 + RANDOM % 20000 ))
/usr/bin/chromedriver --port=$port --allowed-ips=127.0.0.1 >"$work/chromedriver.log" 2>&1 &
chromedriver_pid=$!
ready=""
for _ in $(seq 1 100); do
  ready=$(/usr/bin/curl -s --max-time 2 "http://127.0.0.1:$port/status" 2>/dev/null) && [ -n "$ready" ] && break
  sleep 0.1
done
echo "$ready" | grep -q '"ready": *true' || { cp "$work/chromedriver.log" "$work/err"; fail /usr/bin/chromedriver "does not answer /status" chromium-driver; }
ok; ok  # chromedriver and curl
/usr/bin/wrk -t1 -c1 -d1s "http://127.0.0.1:$port/status" >"$work/wrk.out" 2>"$work/err"
requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$work/wrk.out")
[ "${requests:-0}" -gt 0 ] || fail /usr/bin/wrk "sent no request to a local server" wrk; ok
need /usr/bin/time time
/usr/bin/time -f %M -o "$work/peak" /usr/bin/env true 2>"$work/err" && grep -qE '^[0-9]+$' "$work/peak" || fail /usr/bin/time "cannot measure peak memory" time; ok

# PostgreSQL 15: the chain's tests start a throwaway server (scripts/pg-throwaway.sh: initdb and pg_ctl in a folder of
# their own, as the postgres user when run as root, through runuser), make btree_gist's exclusion constraint and query it.
pg=/usr/lib/postgresql/15/bin
for tool in initdb pg_ctl postgres; do need $pg/$tool postgresql-15; done
need $pg/psql postgresql-client-15
if [ "$(id -u)" -eq 0 ]; then
  need /usr/sbin/runuser util-linux
  /usr/sbin/runuser -u postgres -- /usr/bin/env true 2>"$work/err" || fail /usr/sbin/runuser "cannot run a program as the postgres user" "util-linux and postgresql-15"
  ok
fi
# Under /tmp itself: the postgres user cannot enter this script's own folder.
pg_folder=$(mktemp -u "${TMPDIR:-/tmp}/driverdesk-pg-preflight.XXXXXX")
"$root/scripts/pg-throwaway.sh" start "$pg_folder" 2>"$work/err" || fail $pg/pg_ctl "cannot start a throwaway PostgreSQL server" postgresql-15; ok
answer=$($pg/psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_folder" -U postgres -d postgres 2>"$work/err" <<'SQL'
CREATE EXTENSION btree_gist;
CREATE TABLE t (car bigint, during int8range, EXCLUDE USING gist (car WITH =, during WITH &&));
INSERT INTO t VALUES (1, int8range(1, 5)), (1, int8range(5, 9));
SELECT count(*) || ' ' || current_setting('server_version_num')::int / 10000 FROM t;
SQL
)
[ "$answer" = "2 15" ] || fail $pg/psql "cannot make and query a table with an exclusion constraint on the throwaway server (answered '$answer')" "postgresql-client-15 and postgresql-15"; ok
"$root/scripts/pg-throwaway.sh" stop "$pg_folder" 2>"$work/err" && [ ! -e "$pg_folder" ] || fail $pg/pg_ctl "cannot stop the throwaway server" postgresql-15
pg_folder=""; ok

echo "preflight: $checked checks passed (sqlite3, zbarimg, qrencode, rsvg-convert, convert, fc-list, chromium, poppler, chromedriver, curl, wrk, time, PostgreSQL 15, …)"
