#!/usr/bin/env bash
# Search benchmark (not a test). For N generated dossiers (default 10,000) it reports:
#   - the search index time as a share of the whole cold `dossier build --no-cache` (median of RUNS),
#   - the index size on disk (public/search-index) and its file count,
#   - the bytes a first-time reader downloads for each query in Chromium: entry file, engine,
#     the index chunks and fragments the query fetches, counted on the wire; then what opening
#     the filters adds.
# Rerun:  bash scripts/bench-search.sh [N]
#   e.g.  RUNS=3 QUERIES="dkim|transparency report" bash scripts/bench-search.sh 10000
# Needs python3, node 20 and chromium (scripts/test.sh installs the last two); it builds the
# release binary and the corpus generator (examples/gen_corpus.rs) itself.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-10000}"
RUNS="${RUNS:-3}"
QUERIES="${QUERIES:-dkim|transparency report}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/dossier-bench-search-$N}"
CORPUS="$WORK/wiki"
OUT="$WORK/public"
BIN="${CARGO_TARGET_DIR:-target}/release/dossier"

cargo build --release --locked --quiet --bin dossier --example gen_corpus
if [ ! -d "$CORPUS/content/providers" ]; then
  "${CARGO_TARGET_DIR:-target}/release/examples/gen_corpus" --n "$N" --seed 1 --scaffold-from . --out "$CORPUS" --force
fi
# The scaffold copies the repository's themes/ as a site overlay; measure the built-in theme.
rm -rf "$CORPUS/themes"
[ -d tests/browser/node_modules/playwright-core ] || npm ci --prefix tests/browser --no-audit --no-fund

echo "== $N dossiers, $RUNS build(s)"
lines=()
for _ in $(seq "$RUNS"); do
  line=$(DOSSIER_TODAY=2026-11-27 "$BIN" build --no-cache --root "$CORPUS" --output "$OUT" --base-url http://127.0.0.1/)
  echo "$line"
  lines+=("$line")
done

printf '%s\n' "${lines[@]}" | python3 -c '
import re, statistics, sys
def seconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(\D+)", text).groups()
    return float(value) * {"s": 1, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}[unit]
shares, builds, indexes = [], [], []
for line in sys.stdin:
    m = re.search(r" in (\S+) \(search index ([^,)]+)", line)
    build, index = seconds(m.group(1)), seconds(m.group(2))
    builds.append(build); indexes.append(index); shares.append(index / build)
print(f"build {statistics.median(builds):.2f} s, search index {statistics.median(indexes):.2f} s "
      f"(before rendering, on every core): {100 * statistics.median(shares):.1f} % of the build (median of {len(shares)})")
'

bytes=$(du -sb "$OUT/search-index" | cut -f1)
files=$(find "$OUT/search-index" -type f | wc -l)
echo "index on disk: $((bytes / 1024)) KiB in $files files ($OUT/search-index)"

IFS='|' read -r -a queries <<< "$QUERIES"
for query in "${queries[@]}"; do
  echo "== first query \"$query\" in Chromium (bytes on the wire, cold cache)"
  node tests/browser/bench.mjs "$OUT" / "$query" > "$WORK/bytes.json"
  python3 - "$WORK/bytes.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
for name, label in [("quickFromHeader", "header box, as you type"),
                    ("searchPage", "/search/?q= page, filters closed"),
                    ("filtersOpened", "then opening the filters adds")]:
    r = report[name]
    print(f"{label}: {r['searchBytes'] / 1024:.1f} KiB" + ("" if name == "filtersOpened" else " (target <= 150 KB)"))
    for kind, v in sorted(r["kinds"].items()):
        if kind != "page":
            print(f"  {kind:14} {v['requests']:3} requests {v['bytes'] / 1024:8.1f} KiB")
problems = {k: v for k, v in report["problems"].items() if v}
print("browser problems:", problems or "none")
EOF
done
