#!/usr/bin/env bash
# Whole-build benchmark (not a test). For each corpus size (default 1,000 and 10,000
# generated dossiers) it reports the medians of RUNS runs of:
#   - `dossier build` (search index and minification included): wall, CPU (user+sys) and peak
#     RSS from /usr/bin/time -v, per-stage times from the DOSSIER_LOG=info log (span close
#     lines, `elapsed` events), and the output's size;
#   - Hugo building the same documents (when `hugo` is on PATH; Debian: apt-get install hugo),
#     alternated with dossier build by build, and the dossier/Hugo ratio pair by pair;
#   - `dossier check`, with nothing cached (a fresh clone) and with the parse cache of an earlier
#     build, and a warm rebuild (build, edit one dossier, build again with the build cache of the
#     first build; the full builds run with --no-cache).
# Highlighting and minification run inside render_dossiers and have no span of their own;
# `cargo bench --bench stages` times them per code block and per page. No goal is asserted:
# the last table says which of the goals in docs/performance.md this run met.
#
# Rerun:  bash scripts/bench.sh                  RUNS=5 SIZES="1000" bash scripts/bench.sh
# Env:    RUNS (3), SIZES ("1000 10000"), BENCH_DIR (/tmp/dossier-bench), HUGO (hugo on PATH;
#         HUGO=none skips it), MAX_LOAD (1.5) and WAIT_MAX (1200 s): wait up to WAIT_MAX for the
#         1-minute load average to fall below MAX_LOAD before measuring (WAIT_MAX=0: don't).
# Tables: printed by scripts/bench_report.py, which can re-print them from the kept runs:
#         python3 scripts/bench_report.py /tmp/dossier-bench
# Needs:  cargo, python3, GNU time (/usr/bin/time; Debian: apt-get install time).
# The corpus comes from examples/gen_corpus.rs; Hugo builds the same documents with the templates
# in benches/support/hugo/ (built into the generator).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
SIZES="${SIZES:-1000 10000}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/dossier-bench}"
. scripts/bench-common.sh

mkdir -p "$WORK"
RUNS_DIR="$WORK/runs"
rm -rf "$RUNS_DIR"
mkdir -p "$RUNS_DIR"
MANIFEST="$RUNS_DIR/manifest.tsv"
# Output trees of earlier runs wait here until the timed builds are done (see the build loop).
TRASH="$WORK/trash"
rm -rf "$TRASH"
mkdir -p "$TRASH"
: >"$MANIFEST"

# measure KIND TOOL SIZE RUN CMD...: runs CMD under /usr/bin/time -v, keeps its streams.
measure() {
  local kind=$1 tool=$2 size=$3 run=$4
  shift 4
  local base="$RUNS_DIR/$kind-$tool-$size-$run"
  local code=0
  /usr/bin/time -v -o "$base.time" "$@" >"$base.out" 2>"$base.err" || code=$?
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$tool" "$size" "$run" "$code" "$base" >>"$MANIFEST"
  [ "$code" -eq 0 ] || echo "  $kind $tool $size run $run exited $code (see $base.err)" >&2
}

# `dossier build` with stage timings on stderr.
BUILD=(env NO_COLOR=1 DOSSIER_LOG=info DOSSIER_TODAY="$TODAY" "$BIN" build)

{
  echo "cpu	$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory	$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "dossier	$("$BIN" --version) ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', dirty'))"
  echo "hugo	${HUGO:+$("$HUGO" version | cut -d' ' -f1-2)}"
  echo "command	RUNS=$RUNS SIZES=\"$SIZES\" bash scripts/bench.sh"
} >"$RUNS_DIR/machine.tsv"

for n in $SIZES; do
  echo "== $n dossiers: generating" >&2
  "$GEN" --n "$n" --seed 1 --scaffold-from . --out "$WORK/wiki-$n" --force >&2
  if [ -n "$HUGO" ]; then
    "$GEN" --n "$n" --seed 1 --flavor hugo --out "$WORK/hugo-$n" --force >&2
  fi
done

wait_for_quiet_machine >&2
echo "load_before	$(cut -d' ' -f1-3 /proc/loadavg)	waited ${WAITED}s" >>"$RUNS_DIR/machine.tsv"
for n in $SIZES; do
  echo "== $n dossiers: $RUNS full build(s) each${HUGO:+, alternating dossier and Hugo}" >&2
  for run in $(seq "$RUNS"); do
    # Every full build is cold (no build cache) and writes into a new, empty output directory.
    # The previous run's output is moved aside, not deleted: this disk is mounted with
    # `discard` and ext4 passes over recently freed inodes when it allocates, so deleting tens
    # of thousands of files just before a build slows that build's file creation by seconds
    # (each tool in proportion to the files it writes). Moved trees are deleted at the end.
    for tool in dossier hugo; do
      [ -e "$WORK/out-$tool-$n" ] && mv "$WORK/out-$tool-$n" "$TRASH/$tool-$n-$run"
    done
    # The standby a cached build keeps beside its output (docs/build-cache.md); a build
    # without the cache removes it, which would time 30,000 deletes into this build.
    if [ -e "$WORK/.out-dossier-$n.standby" ]; then
      mv "$WORK/.out-dossier-$n.standby" "$TRASH/standby-$n-$run"
    fi
    measure build dossier "$n" "$run" "${BUILD[@]}" --root "$WORK/wiki-$n" --output "$WORK/out-dossier-$n" --no-cache
    if [ -n "$HUGO" ]; then
      measure build hugo "$n" "$run" "$HUGO" --quiet -s "$WORK/hugo-$n" -d "$WORK/out-hugo-$n"
    fi
  done
  echo "== $n dossiers: dossier check, warm rebuild" >&2
  # check as CI runs it on a fresh clone (nothing cached), then as a contributor reruns it after
  # a build (the parse cache an untimed build kept: check reads it and writes nothing).
  CHECK=(env NO_COLOR=1 DOSSIER_TODAY="$TODAY" "$BIN" check --root "$WORK/wiki-$n")
  for run in $(seq "$RUNS"); do
    measure check dossier "$n" "$run" "${CHECK[@]}" --no-cache
  done
  rm -rf "$WORK/cache-check-$n"
  "${BUILD[@]}" --root "$WORK/wiki-$n" --output "$WORK/out-check-$n" --cache-dir "$WORK/cache-check-$n" >/dev/null 2>&1 || true
  [ -e "$WORK/out-check-$n" ] && mv "$WORK/out-check-$n" "$TRASH/check-$n"
  for run in $(seq "$RUNS"); do
    measure check-warm dossier "$n" "$run" "${CHECK[@]}" --cache-dir "$WORK/cache-check-$n"
  done
  # Warm rebuild: the previous build's output and build cache are in place (one untimed build
  # fills the cache); one dossier's body changes each run.
  cache="$WORK/cache-dossier-$n"
  rm -rf "$cache"
  "${BUILD[@]}" --root "$WORK/wiki-$n" --output "$WORK/out-dossier-$n" --cache-dir "$cache" >/dev/null 2>&1
  edited=$(find "$WORK/wiki-$n/content/providers" -name '*.md' | LC_ALL=C sort | sed -n 1p)
  cp "$edited" "$WORK/edited.orig"
  for run in $(seq "$RUNS"); do
    printf '\nEdited for the warm-rebuild benchmark, run %s.\n' "$run" >>"$edited"
    measure warm dossier "$n" "$run" "${BUILD[@]}" --root "$WORK/wiki-$n" --output "$WORK/out-dossier-$n" --cache-dir "$cache"
  done
  cp "$WORK/edited.orig" "$edited"
done
rm -rf "$TRASH"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "load_after	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RUNS_DIR/machine.tsv"

python3 "$(dirname "$0")/bench_report.py" "$WORK"
