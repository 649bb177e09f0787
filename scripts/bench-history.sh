#!/usr/bin/env bash
# The record over time at scale (a benchmark, not a test). A generated wiki of N dossiers (10,000)
# with a git history of COMMITS first-parent commits (50,000), each editing one to three
# dossiers (examples/gen_corpus.rs --history), and Hugo's copy of the same documents with the same
# history and `enableGitInfo = true`. Reports, from RUNS runs each:
#   - cold `dossier build --no-cache` (history included) and Hugo, alternated build by build:
#     wall time, peak RSS (/usr/bin/time -v) and the dossier/Hugo ratio pair by pair;
#   - a warm build with the build cache after one new commit that edits one dossier (and, not a
#     target, the first build with an empty cache that the warm builds start from);
#   - `dossier diff main` on a branch whose one commit touches 20 dossiers.
# The corpora are generated once and kept in BENCH_DIR; delete them (or REGEN=1) to regenerate.
# The repositories are left as generated: the new commits of the warm runs are reset away and the
# diff's branch is deleted at the end.
#
# Rerun:  bash scripts/bench-history.sh          RUNS=5 bash scripts/bench-history.sh
# Env:    RUNS (3), N (10000), COMMITS (50000), BENCH_DIR (/tmp/dossier-bench-history), HUGO
#         (hugo on PATH; HUGO=none skips it), MAX_LOAD (1.5) and WAIT_MAX (1200 s) as in
#         scripts/bench.sh, REGEN (unset).
# Needs:  cargo, git, python3, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
N="${N:-10000}"
COMMITS="${COMMITS:-50000}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/dossier-bench-history}"
. scripts/bench-common.sh

WIKI="$WORK/wiki"
SITE="$WORK/hugo"
RUNS_DIR="$WORK/runs"
mkdir -p "$WORK"
rm -rf "$RUNS_DIR" "$WORK/trash"
mkdir -p "$RUNS_DIR" "$WORK/trash"

if [ -n "${REGEN:-}" ] || [ ! -d "$WIKI/.git" ]; then
  echo "== generating $N dossiers with $COMMITS commits" >&2
  /usr/bin/time -f "generated the dossier wiki in %es" \
    "$GEN" --n "$N" --seed 1 --scaffold-from . --history "$COMMITS" --out "$WIKI" --force >&2
fi
if [ -n "$HUGO" ] && { [ -n "${REGEN:-}" ] || [ ! -d "$SITE/.git" ]; }; then
  /usr/bin/time -f "generated the Hugo site in %es" \
    "$GEN" --n "$N" --seed 1 --flavor hugo --history "$COMMITS" --out "$SITE" --force >&2
fi
ORIGIN=$(git -C "$WIKI" rev-parse HEAD)

# Commits made here get the date after the generated history's last one, and no user settings.
gitw() {
  env GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.test \
    GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.test \
    GIT_AUTHOR_DATE="2026-11-26T12:00:00Z" GIT_COMMITTER_DATE="2026-11-26T12:00:00Z" git -C "$WIKI" "$@"
}

# measure NAME CMD...: runs CMD under /usr/bin/time -v; its report is RUNS_DIR/NAME.time.
measure() {
  local name=$1
  shift
  if ! /usr/bin/time -v -o "$RUNS_DIR/$name.time" "$@" >"$RUNS_DIR/$name.out" 2>"$RUNS_DIR/$name.err"; then
    echo "$name failed (see $RUNS_DIR/$name.err)" >&2
    exit 1
  fi
}

BUILD=(env NO_COLOR=1 DOSSIER_TODAY="$TODAY" "$BIN" build --root "$WIKI")
{
  echo "machine: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "dossier: $("$BIN" --version); hugo: ${HUGO:+$("$HUGO" version | cut -d' ' -f1-2)}"
  echo "corpus: $N dossiers, $(git -C "$WIKI" rev-list --count --first-parent HEAD) first-parent commits"
  echo "command: RUNS=$RUNS N=$N COMMITS=$COMMITS bash scripts/bench-history.sh"
  wait_for_quiet_machine
} | tee "$RUNS_DIR/machine.txt" >&2

echo "== $RUNS cold build(s) each${HUGO:+, alternating dossier and Hugo}" >&2
for run in $(seq "$RUNS"); do
  # Earlier outputs are moved aside, not deleted, before a timed build (see scripts/bench.sh).
  for out in out-dossier out-hugo .out-dossier.standby; do
    [ -e "$WORK/$out" ] && mv "$WORK/$out" "$WORK/trash/$out-$run"
  done
  measure "cold-dossier-$run" "${BUILD[@]}" --output "$WORK/out-dossier" --no-cache
  if [ -n "$HUGO" ]; then
    measure "cold-hugo-$run" "$HUGO" --quiet -s "$SITE" -d "$WORK/out-hugo"
  fi
done

echo "== warm builds after one new commit editing one dossier" >&2
cache="$WORK/cache"
rm -rf "$cache"
# Not a target, but reported: it fills the cache and links the standby the warm builds start from.
measure "first-cached-dossier" "${BUILD[@]}" --output "$WORK/out-dossier" --cache-dir "$cache"
edited=$(find "$WIKI/content/providers" -name '*.md' | LC_ALL=C sort | sed -n 1p)
for run in $(seq "$RUNS"); do
  printf '\nEdited for the warm-build benchmark, run %s.\n' "$run" >>"$edited"
  gitw commit -q -a -m "Bench edit $run"
  measure "warm-dossier-$run" "${BUILD[@]}" --output "$WORK/out-dossier" --cache-dir "$cache"
done
gitw reset -q --hard "$ORIGIN"

echo "== dossier diff on a branch touching 20 dossiers" >&2
gitw checkout -q -b bench-review
find "$WIKI/content/providers" -name '*.md' | LC_ALL=C sort | awk 'NR % 500 == 1' | head -20 | while read -r file; do
  sed -i '0,/^    status: "[a-z]*"$/s//    status: "disputed"/' "$file"
  printf '\nEdited on the review branch.\n' >>"$file"
done
gitw commit -q -a -m "Bench review branch"
for run in $(seq "$RUNS"); do
  measure "diff-dossier-$run" env NO_COLOR=1 "$BIN" diff main --root "$WIKI" --format markdown
done
gitw checkout -q main
gitw branch -q -D bench-review
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RUNS_DIR/machine.txt" >&2
rm -rf "$WORK/trash"

python3 - "$RUNS_DIR" "$RUNS" <<'PY'
import re, statistics, sys
runs_dir, runs = sys.argv[1], int(sys.argv[2])

def report(name):
    try:
        text = open(f"{runs_dir}/{name}.time").read()
    except FileNotFoundError:
        return None
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    return seconds, rss

print(open(f"{runs_dir}/machine.txt").read().rstrip())
rows = {kind: [report(f"{kind}-{r}") for r in range(1, runs + 1)] for kind in
        ["cold-dossier", "cold-hugo", "warm-dossier", "diff-dossier"]}
print(f"{'measure':<14} {'runs (s)':<30} {'median s':>9} {'max RSS MB':>11}")
for kind, values in rows.items():
    if not all(values):
        continue
    walls = [w for w, _ in values]
    print(f"{kind:<14} {' '.join(f'{w:.2f}' for w in walls):<30} {statistics.median(walls):>9.2f} "
          f"{max(r for _, r in values):>11.0f}")
if all(rows["cold-hugo"]) and all(rows["cold-dossier"]):
    ratios = [d[0] / h[0] for d, h in zip(rows["cold-dossier"], rows["cold-hugo"])]
    print(f"dossier/Hugo cold ratio, pair by pair: {' '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f} (target <= 0.5)")
first = report("first-cached-dossier")
if first:
    print(f"first build with an empty cache (fills it, links the standby): {first[0]:.2f} s, {first[1]:.0f} MB")
cold_rss = max(r for _, r in rows["cold-dossier"])
print(f"targets: cold peak RSS {cold_rss:.0f} MB (< 1536); "
      f"warm median {statistics.median(w for w, _ in rows['warm-dossier']):.2f} s (< 2); "
      f"diff median {statistics.median(w for w, _ in rows['diff-dossier']):.2f} s (< 0.5)")
PY
