#!/usr/bin/env bash
# The city-morning load test: a private PostgreSQL, the seeded city, gunicorn, Locust,
# then the exactly-once check in the database; RUNS times, each from the same morning.
#
#   bash bench/load/run.sh            # or: make load
#
# Settings (environment): RUNS (3), WORKERS (gunicorn processes, 4), THREADS (per
# process, 1), CAREGIVERS (1000), DISPATCHERS (50), VISITS (per route, 2), RUN_TIME (4m),
# SPAWN_RATE (50/s), LOAD_CAREGIVER_WAIT (60,120 s), PG_DIR (/tmp/carehub-load-pg), PG_PORT (55439), WEB_PORT (8731).
# Results: bench-results/load/ (Locust's CSVs per run, the check's output, summary.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-1}
CAREGIVERS=${CAREGIVERS:-1000}
DISPATCHERS=${DISPATCHERS:-50}
VISITS=${VISITS:-2}
RUN_TIME=${RUN_TIME:-4m}
SPAWN_RATE=${SPAWN_RATE:-50}
# A caregiver acts every 60-120 s: about 11 requests a second from 1,000 phones, ten times a
# real morning's rate (docs/benchmarks.md); LOAD_CAREGIVER_WAIT=10,30 is the stress case.
export LOAD_CAREGIVER_WAIT=${LOAD_CAREGIVER_WAIT:-60,120}
PG_DIR=${PG_DIR:-/tmp/carehub-load-pg}
PG_PORT=${PG_PORT:-55439}
WEB_PORT=${WEB_PORT:-8731}
OUT=bench-results/load
BIN=.venv/bin
mkdir -p "$OUT"

# A fresh server each time: a directory left by an older schema would be taken as migrated.
bash scripts/private-postgres stop "$PG_DIR" >/dev/null 2>&1 || true
rm -rf "$PG_DIR"
CAREHUB_DATABASE_URL=$(bash scripts/private-postgres start "$PG_DIR" "$PG_PORT")
export CAREHUB_DATABASE_URL
export CAREHUB_SECRET_KEY=${CAREHUB_SECRET_KEY:-load-test-secret}
$BIN/carehub init >/dev/null
$BIN/carehub seed city --elders 30000 | tail -n1

# Cumulative CPU seconds of the children of each of two processes: "WEB DATABASE".
cpu_of() {
    local web db
    web=$(ps --ppid "$1" -o times= | awk '{s += $1} END {print s + 0}')
    db=$(ps --ppid "$2" -o times= | awk '{s += $1} END {print s + 0}')
    echo "$web $db"
}

status=0
web=
stop_web() { [ -n "$web" ] && kill "$web" 2>/dev/null && wait "$web" 2>/dev/null; web=; }
trap 'stop_web; bash scripts/private-postgres stop "$PG_DIR"' EXIT
trap 'exit 130' INT TERM

for run in $(seq "$RUNS"); do
    echo "== run $run of $RUNS: $CAREGIVERS caregivers, $DISPATCHERS dispatchers, gunicorn -w $WORKERS --threads $THREADS"
    $BIN/python bench/load/prepare.py --caregivers "$CAREGIVERS" --visits "$VISITS" \
        --dispatchers "$DISPATCHERS" --out "$OUT/users.json"
    $BIN/gunicorn -w "$WORKERS" --threads "$THREADS" -b "127.0.0.1:$WEB_PORT" \
        --timeout 60 --log-level warning wsgi:app &
    web=$!
    for _ in $(seq 60); do
        curl -fs "http://127.0.0.1:$WEB_PORT/healthz" >/dev/null && break
        sleep 0.5
    done
    # CPU seconds the web workers and the database's backends spend on the run: what a
    # request costs, whatever share of the shared machine they were given.
    postmaster=$(head -n1 "$PG_DIR/postmaster.pid")
    cpu_before=$(cpu_of "$web" "$postmaster")
    LOAD_USERS="$OUT/users.json" LOAD_SENT="$OUT/sent-$run.jsonl" \
        $BIN/locust -f bench/load/locustfile.py --headless --only-summary \
        --host "http://127.0.0.1:$WEB_PORT" --users $((CAREGIVERS + DISPATCHERS)) \
        --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 30 \
        --csv "$OUT/run-$run" --exit-code-on-error 0 >"$OUT/locust-$run.txt" 2>&1 || true
    cpu_after=$(cpu_of "$web" "$postmaster")
    echo "cpu seconds: web $(( ${cpu_after% *} - ${cpu_before% *} )), database $(( ${cpu_after#* } - ${cpu_before#* } ))" \
        | tee "$OUT/cpu-$run.txt"
    stop_web
    $BIN/python bench/load/check.py --sent "$OUT/sent-$run.jsonl" >"$OUT/check-$run.txt" || status=1
    cat "$OUT/check-$run.txt"
done
$BIN/python bench/load/summary.py $(seq -f "$OUT/run-%g_stats.csv" "$RUNS") | tee "$OUT/summary.txt"
exit "$status"
