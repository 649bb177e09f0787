# Sourced by scripts/bench.sh and scripts/bench-history.sh (not run on its own): the settings,
# binaries and quiet-machine wait that both whole-build benchmarks share. Builds the release
# binary and the corpus generator. Env: MAX_LOAD (1.5), WAIT_MAX (1200 s), HUGO (hugo on PATH;
# HUGO=none skips it), CARGO_TARGET_DIR.
MAX_LOAD="${MAX_LOAD:-1.5}"
WAIT_MAX="${WAIT_MAX:-1200}"
TODAY=2026-11-27
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET/release/dossier"
GEN="$TARGET/release/examples/gen_corpus"
HUGO="${HUGO:-$(command -v hugo || true)}"
[ "$HUGO" = none ] && HUGO=""

/usr/bin/time -v true 2>/dev/null || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --locked --quiet --bin dossier --example gen_corpus

load1() { cut -d' ' -f1 /proc/loadavg; }

# Waits up to WAIT_MAX for the 1-minute load average to fall below MAX_LOAD, then prints on
# stdout the load it measures under and how long it waited (also left in WAITED, in seconds).
wait_for_quiet_machine() {
  WAITED=0
  while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN { exit !(l >= m) }' && [ "$WAITED" -lt "$WAIT_MAX" ]; do
    [ "$WAITED" -eq 0 ] && echo "waiting up to ${WAIT_MAX}s for the 1-min load average ($(load1)) to fall below $MAX_LOAD" >&2
    sleep 30
    WAITED=$((WAITED + 30))
  done
  echo "load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg) (waited ${WAITED}s)"
}
