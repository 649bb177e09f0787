#!/usr/bin/env bash
# Benchmark (not a test) of `dossier serve`: edit-to-served latency and peak memory.
#
# For the bundled wiki (copied to a temp dir) and for N generated dossiers (default 10,000, from
# the project's corpus generator, examples/gen_corpus.rs), starts the release binary, makes 20 edits (a unique word
# appended to a dossier's body), and times each from the write to the moment an HTTP GET of that
# dossier's page returns the word (polled every 2 ms). Prints median and p90, the server's own
# rebuild times, and its peak RSS (VmHWM). Goals: p90 under 100 ms on the bundled
# wiki and under 250 ms at 10,000 dossiers; peak RSS under 1 GB at 10,000.
#
#   scripts/bench-serve.sh            # bundled wiki and 10,000 dossiers
#   N=1000 scripts/bench-serve.sh     # a smaller generated wiki
#   N=0 scripts/bench-serve.sh        # the bundled wiki only
#   EDITS=50 scripts/bench-serve.sh   # more edits per wiki
#   CORPUS=/tmp/wiki scripts/bench-serve.sh  # a copy of an existing wiki instead of a generated one
#   BIN=/tmp/old/dossier scripts/bench-serve.sh  # another binary (side-by-side comparisons)
#   SKIP_BUNDLED=1 scripts/bench-serve.sh        # the large wiki only
#
# Memory is reported three times: the peak when serving starts (the first build; the first search
# index has only just started on its own thread), once the server is idle (the first index built),
# and at the end, once the search index has been rebuilt after the edits. Edits start once the server is idle, and the server's CPU time per edit is
# reported beside the latencies: on a busy machine it is the steadier figure.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-10000}"
EDITS="${EDITS:-20}"
TARGET="${CARGO_TARGET_DIR:-target}"
GEN="$TARGET/release/examples/gen_corpus"

if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet --bin dossier
  BIN="$PWD/$TARGET/release/dossier"
fi
if [ -z "${CORPUS:-}" ] && [ "$N" -gt 0 ]; then
  cargo build --release --locked --quiet --example gen_corpus
fi
WORK="$(mktemp -d -t dossier-bench-serve.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# bench NAME ROOT: serve ROOT, edit it EDITS times, print the figures.
bench() {
  local name="$1" root="$2" log="$WORK/$1.out"
  local started=$SECONDS
  # DOSSIER_LOG=info: the stage timings of every rebuild go to stderr, for the breakdown below.
  DOSSIER_LOG=info DOSSIER_TODAY="${DOSSIER_TODAY:-2026-11-27}" NO_COLOR=1 "$BIN" serve --root "$root" --port 0 >"$log" 2>"$WORK/$name.err" &
  SERVER_PID=$!
  until grep -qs '^serving .* at http' "$log"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "serve died:"; cat "$WORK/$name.err"; exit 1; }
    sleep 0.05
  done
  local url
  url="$(sed -n 's/^serving .* at \(http[^ ]*\) .*/\1/p' "$log")"
  echo "== $name: $(find "$root/content/providers" -name '*.md' | wc -l) dossiers, first build and serving after $((SECONDS - started)) s"
  echo "peak RSS (VmHWM) when serving starts: $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")"
  python3 - "$url" "$root" "$EDITS" "$SERVER_PID" "$log" "$WORK/$name.err" <<'PY'
import http.client, os, random, re, statistics, sys, time, urllib.parse

url, root, edits, pid, log, err = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
host = urllib.parse.urlparse(url)
providers = sorted(f for f in os.listdir(os.path.join(root, "content/providers")) if f.endswith(".md"))
rng = random.Random(1)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)

def get(path):
    global conn
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    except (http.client.HTTPException, OSError):
        conn.close()
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        return b""

def rebuilds():
    with open(log) as f:
        return re.findall(r"^rebuilt \d+ pages in ([\d.]+)(\S+)$", f.read(), re.M)

def ms(value, unit):
    return float(value) * {"s": 1000.0, "ms": 1.0, "µs": 0.001, "us": 0.001, "ns": 1e-6}[unit]

def stages():
    """(stage, ms) for every timed span the server logged, in order."""
    with open(err) as f:
        found = re.findall(r" (\w+)(?:\{[^}]*\})?: [\w:]+: close time\.busy=([\d.]+)(\S+)", f.read())
    return [(stage, ms(v, u)) for stage, v, u in found]

def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def hwm_mib():
    return int(re.search(r"VmHWM:\s+(\d+) kB", open(f"/proc/{pid}/status").read()).group(1)) / 1024

def wait_until_idle():
    """Waits for 2 s without server CPU use; returns the seconds waited."""
    waited = time.perf_counter()
    idle_since, last = time.perf_counter(), cpu_seconds()
    while time.perf_counter() - idle_since < 2:
        time.sleep(0.25)
        now = cpu_seconds()
        if now - last > 0.05:
            idle_since = time.perf_counter()
        last = now
    return time.perf_counter() - waited

waited = wait_until_idle()
print(f"idle (first search index built) after {waited:.0f} s more; peak RSS then {hwm_mib():.0f} MiB")

latencies = []
cpu_before = cpu_seconds()
before = len(rebuilds())
stages_before = len(stages())
for i in range(edits):
    name = rng.choice(providers)
    path = os.path.join(root, "content/providers", name)
    page = f"/providers/{name[:-3]}/"
    word = f"benchword{i:02d}x{rng.randrange(10**9):09d}".encode()
    text = open(path, "rb").read()
    assert word not in get(page)
    start = time.perf_counter()
    with open(path, "wb") as f:
        f.write(text + b"\n\nEdited " + word + b".\n")
    deadline = start + 30
    while word not in get(page):
        if time.perf_counter() > deadline:
            sys.exit(f"edit {i} of {name} not served after 30 s")
        time.sleep(0.002)
    latencies.append((time.perf_counter() - start) * 1000)
    time.sleep(0.2)  # let the watcher settle, so edits do not overlap
cpu_per_edit = (cpu_seconds() - cpu_before) / edits * 1000

def p90(values):
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]  # nearest rank

own = [ms(v, u) for v, u in rebuilds()[before:]]
# Edits come faster than serve's search quiet period, so the search index is rebuilt once they
# stop; the peak below includes that reindex.
wait_until_idle()
status = open(f"/proc/{pid}/status").read()
hwm = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
print(f"edit-to-served over {len(latencies)} edits: median {statistics.median(latencies):.1f} ms, "
      f"p90 {p90(latencies):.1f} ms, min {min(latencies):.1f} ms, max {max(latencies):.1f} ms")
print(f"server CPU time per edit (user + system, all threads): {cpu_per_edit:.0f} ms")
if own:
    print(f"server's own rebuild time over {len(own)} rebuilds: median {statistics.median(own):.1f} ms, p90 {p90(own):.1f} ms")
by_stage = {}
for stage, took in stages()[stages_before:]:
    by_stage.setdefault(stage, []).append(took)
if by_stage:
    print("rebuild stages, median ms: " + ", ".join(f"{s} {statistics.median(t):.1f}" for s, t in by_stage.items()))
print(f"peak RSS (VmHWM, the reindex after the edits included) {hwm / 1024:.0f} MiB; RSS now {rss / 1024:.0f} MiB")
PY
  kill -INT "$SERVER_PID"
  wait "$SERVER_PID" || { echo "serve exited with $? after SIGINT"; exit 1; }
  SERVER_PID=""
  tail -n 1 "$log" | grep -qx stopped || { echo "no 'stopped' line"; exit 1; }
}

if [ -z "${SKIP_BUNDLED:-}" ]; then
  mkdir -p "$WORK/bundled"
  cp -r content themes "$WORK/bundled/"
  bench bundled "$WORK/bundled"
fi

if [ -n "${CORPUS:-}" ]; then
  cp -r "$CORPUS" "$WORK/copied"
  bench "$(basename "$CORPUS")" "$WORK/copied"
elif [ "$N" -gt 0 ]; then
  echo "generating $N dossiers..."
  "$GEN" --n "$N" --seed 1 --scaffold-from . --out "$WORK/generated" >/dev/null
  bench "generated-$N" "$WORK/generated"
fi
