#!/usr/bin/env bash
# A worker for the reliability tests (issue 7): drives the built binary in a loop, as a person, a script or cron
# would, and logs every exit status. Used by Tests/ReliabilityTests; handy by hand too.
#
#   reliability-worker.sh plan  BIN DB NOW PLAN LOG
#       Runs each line of PLAN: the arguments of one `driverdesk` command separated by tabs. A line
#       `@invite-confirm<TAB>PLATE<TAB>STAFF` makes an invite and, when it is made, confirms it.
#   reliability-worker.sh every SECONDS STOPFILE BIN DB NOW LOG ARGS...
#       Runs `driverdesk ARGS` every SECONDS until STOPFILE exists (cleanup from cron, every second).
#   reliability-worker.sh web   BASEURL COUNT LOG PATH...
#       GETs the PATHs in turn, COUNT requests in all (the web server under load).
#
# LOG gets one line per command: EXIT<TAB>COMMAND<TAB>DETAIL, where DETAIL is stderr's first line when the exit
# status is neither 0 nor 1 (for `web`: the HTTP status, and 000 when the server did not answer).
set -u
mode=$1
shift

# One command: `log_run LOG LABEL BIN ARGS...`; sets $last_status and $last_stdout.
log_run() {
    local log=$1 label=$2
    shift 2
    local err
    err=$(mktemp)
    last_stdout=$("$@" 2>"$err")
    last_status=$?
    local detail=""
    if [ "$last_status" -ne 0 ] && [ "$last_status" -ne 1 ]; then
        detail=$(head -c 300 "$err" | tr '\t\n\r' '   ')
    fi
    printf '%s\t%s\t%s\n' "$last_status" "$label" "$detail" >>"$log"
    rm -f "$err"
}

case "$mode" in
plan)
    bin=$1 db=$2 now=$3 plan=$4 log=$5
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        IFS=$'\t' read -r -a args <<<"$line"
        if [ "${args[0]}" = "@invite-confirm" ]; then
            log_run "$log" "register invite" "$bin" register invite --plate "${args[1]}" --staff "${args[2]}" --json --db "$db" --now "$now"
            if [ "$last_status" -eq 0 ]; then
                ref=$(printf '%s' "$last_stdout" | grep -o '"ref" *: *"INV-[0-9A-Z]*-[0-9A-Z]*"' | grep -o 'INV-[0-9A-Z]*-[0-9A-Z]*' | head -1)
                log_run "$log" "register confirm" "$bin" register confirm "$ref" --db "$db" --now "$now"
            fi
        else
            log_run "$log" "${args[0]} ${args[1]}" "$bin" "${args[@]}" --db "$db" --now "$now"
        fi
    done <"$plan"
    ;;
every)
    seconds=$1 stop=$2 bin=$3 db=$4 now=$5 log=$6
    shift 6
    while [ ! -e "$stop" ]; do
        log_run "$log" "$*" "$bin" "$@" --db "$db" --now "$now"
        sleep "$seconds"
    done
    ;;
web)
    base=$1 count=$2 log=$3
    shift 3
    paths=("$@")
    for ((i = 0; i < count; i++)); do
        path=${paths[$((i % ${#paths[@]}))]}
        code=$(curl -s -o /dev/null -m 30 -w '%{http_code}' "$base$path")
        if [ "$code" = "200" ]; then status=0; else status=9; fi
        printf '%s\tGET %s\t%s\n' "$status" "$path" "$code" >>"$log"
    done
    ;;
*)
    echo "usage: $0 plan|every|web ..." >&2
    exit 2
    ;;
esac
