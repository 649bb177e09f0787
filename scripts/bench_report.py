#!/usr/bin/env python3
"""Prints the tables of scripts/bench.sh from the runs it left in BENCH_DIR/runs.

    python3 scripts/bench_report.py /tmp/dossier-bench

Reads runs/manifest.tsv (kind, tool, size, run, exit code, file stem), each run's
/usr/bin/time -v report (.time) and, for dossier builds, the DOSSIER_LOG=info span close lines
on stderr (.err); sizes come from the output directories. Python standard library only.
"""
import os
import re
import statistics
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A span closing: `INFO render_dossiers{count=10}: dossier::render: close time.busy=1.2s time.idle=5µs`.
SPAN = re.compile(r"INFO\s+(?P<span>.*?): [\w:]+: close time\.busy=(?P<busy>\S+) time\.idle=\S+")
# A timed event: `INFO dossier::search: search index built files=10 elapsed=1.5s`.
EVENT = re.compile(r"INFO\s+[\w:]+: (?P<message>[^=]*?) (?:\w+=\S+ )*elapsed=(?P<elapsed>\S+)")
# The build's summary line: `built ... in 6.01s (search index 2.3s)`.
SEARCH_TOTAL = re.compile(r"\(search index ([\d.]+(?:ns|µs|us|ms|s))")
UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
# The performance goals (docs/performance.md), at 10,000 dossiers unless said.
RSS_LIMIT_MB = 1.5 * 1000
TARGETS = "full build <= 0.5 x Hugo's wall; peak RSS < 1.5 GB; warm rebuild < 2 s; check < 2 s (10k); 1k build < 1.5 s"


def seconds(text):
    m = re.fullmatch(r"([\d.]+)(ns|µs|us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def clock(text):
    """h:mm:ss or m:ss.ss, as GNU time prints elapsed wall time."""
    total = 0.0
    for part in text.split(":"):
        total = total * 60 + float(part)
    return total


def parse_time(path):
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        key, _, value = line.strip().rpartition(": ")
        if key.startswith("Elapsed (wall clock)"):
            out["wall"] = clock(value)
        elif key == "User time (seconds)":
            out["user"] = float(value)
        elif key == "System time (seconds)":
            out["sys"] = float(value)
        elif key == "Maximum resident set size (kbytes)":
            out["rss_mb"] = int(value) / 1024
    out["cpu"] = out.get("user", 0.0) + out.get("sys", 0.0)
    return out


def parse_stages(path):
    """Stage name -> seconds, in order of appearance: span close lines (time.busy) and
    events that carry an `elapsed` field, summed over the run."""
    stages = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        line = ANSI.sub("", line)
        m = SPAN.search(line)
        if m:
            name, took = re.sub(r"\{[^}]*\}", "", m.group("span")).split(":")[-1].strip(), m.group("busy")
        else:
            m = EVENT.search(line)
            if not m:
                continue
            name, took = m.group("message").strip(), m.group("elapsed")
        stages[name] = stages.get(name, 0.0) + seconds(took)
    return stages


def search_total(path):
    m = SEARCH_TOTAL.search(open(path, encoding="utf-8", errors="replace").read())
    return seconds(m.group(1)) if m else None


def load_runs(work):
    runs = []
    for line in open(os.path.join(work, "runs", "manifest.tsv"), encoding="utf-8"):
        kind, tool, size, run, code, base = line.rstrip("\n").split("\t")
        r = {"kind": kind, "tool": tool, "size": int(size), "run": int(run), "code": int(code)}
        r.update(parse_time(base + ".time"))
        if tool == "dossier" and kind in ("build", "warm"):
            r["spans"] = parse_stages(base + ".err")
            r["search"] = search_total(base + ".out")
        runs.append(r)
    return runs


def dir_stats(root):
    """Total bytes, files, and the mean size of providers/*/index.html."""
    total, files, pages = 0, 0, []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            size = os.path.getsize(os.path.join(dirpath, name))
            total += size
            files += 1
            rel = os.path.relpath(dirpath, root).split(os.sep)
            if name == "index.html" and len(rel) == 2 and rel[0] == "providers":
                pages.append(size)
    return total, files, (statistics.mean(pages) if pages else 0.0)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec=".2f"):
    return "-" if value is None else format(value, spec)


def select(runs, kind, tool, size):
    return [r for r in runs if (r["kind"], r["tool"], r["size"]) == (kind, tool, size)]


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


def full_builds(work, runs, sizes, tools):
    print("### Full builds (medians; each into an empty output directory)\n")
    rows = []
    for n in sizes:
        for tool in tools:
            rs = select(runs, "build", tool, n)
            if not rs:
                continue
            out = os.path.join(work, "out-%s-%d" % (tool, n))
            total, files, page = dir_stats(out) if os.path.isdir(out) else (0, 0, 0.0)
            search = dir_stats(os.path.join(out, "search-index"))[0] if tool == "dossier" else 0
            ok = sum(r["code"] == 0 for r in rs)
            rows.append(["%d" % n, tool, fmt(med(r["wall"] for r in rs)), fmt(med(r["cpu"] for r in rs)),
                         fmt(med(r["rss_mb"] for r in rs), ".0f"), "%.1f" % (total / 1e6), files,
                         "%.1f" % (page / 1e3), ("%.1f" % (search / 1e6)) if search else "-",
                         "%d/%d" % (ok, len(rs))])
    table(["dossiers", "tool", "wall s", "CPU s (user+sys)", "peak RSS MB", "output MB", "files",
           "provider page KB", "search index MB", "exit 0"], rows)


def ratios(runs, sizes):
    print("### dossier / Hugo, pair by pair (same run number = consecutive builds)\n")
    rows = []
    for n in sizes:
        hugo = {r["run"]: r for r in select(runs, "build", "hugo", n)}
        pairs = [(d, hugo[d["run"]]) for d in select(runs, "build", "dossier", n) if d["run"] in hugo]
        for d, h in pairs:
            rows.append(["%d" % n, d["run"], "%.2f / %.2f" % (d["wall"], h["wall"]), "%.2f" % (d["wall"] / h["wall"]),
                         "%.2f" % (d["cpu"] / h["cpu"]), "%.2f" % (d["rss_mb"] / h["rss_mb"])])
        if pairs:
            rows.append(["%d" % n, "median", "", "**%.2f**" % med(d["wall"] / h["wall"] for d, h in pairs),
                         "%.2f" % med(d["cpu"] / h["cpu"] for d, h in pairs),
                         "%.2f" % med(d["rss_mb"] / h["rss_mb"] for d, h in pairs)])
    table(["dossiers", "run", "wall s (dossier / Hugo)", "wall ratio", "CPU ratio", "RSS ratio"], rows)


def stages(runs, sizes):
    print("### dossier build stages (median seconds, from the DOSSIER_LOG=info log: span busy times and "
          "`elapsed` events)\n")
    per_size = {n: select(runs, "build", "dossier", n) for n in sizes}
    names = []
    for rs in per_size.values():
        for r in rs:
            names += [s for s in r["spans"] if s not in names]
    rows = []
    for name in names:
        rows.append([name] + [fmt(med(r["spans"].get(name) for r in per_size[n])) for n in sizes])
    rows.append(["search index, whole (build summary line)"] +
                [fmt(med(r["search"] for r in per_size[n])) for n in sizes])
    rows.append(["highlight, minify"] + ["in render_dossiers" for _ in sizes])
    rows.append(["wall"] + [fmt(med(r["wall"] for r in per_size[n])) for n in sizes])
    table(["stage"] + ["%d dossiers" % n for n in sizes], rows)
    print("The search index is built on every core before the pages render; stages are span times, so\n"
          "they need not add up to the wall time exactly. Highlighting and minification have no span: they run\n"
          "inside render_dossiers; `cargo bench --bench stages` times them per code block and per page.\n")


def check_and_warm(runs, sizes):
    print("### dossier check and warm rebuild (medians)\n")
    rows = []
    for n in sizes:
        for kind, label in (("check", "dossier check --no-cache (a fresh clone)"),
                            ("check-warm", "dossier check, parse cache kept"),
                            ("warm", "warm rebuild (one dossier edited)")):
            rs = select(runs, kind, "dossier", n)
            if rs:
                codes = sorted({r["code"] for r in rs})
                rows.append(["%d" % n, label, fmt(med(r["wall"] for r in rs)), fmt(med(r["cpu"] for r in rs)),
                             fmt(med(r["rss_mb"] for r in rs), ".0f"), ",".join(map(str, codes))])
    table(["dossiers", "command", "wall s", "CPU s", "peak RSS MB", "exit"], rows)


def targets(runs, sizes):
    print("### Goals, as measured in this run\n")

    def verdict(ok):
        return "-" if ok is None else ("met" if ok else "MISSED")

    rows = []
    big, small = max(sizes), min(sizes)
    d = select(runs, "build", "dossier", big)
    hugo = {r["run"]: r for r in select(runs, "build", "hugo", big)}
    ratio = med(r["wall"] / hugo[r["run"]]["wall"] for r in d if r["run"] in hugo)
    rows.append(["%d: build wall <= 0.5 x Hugo" % big, fmt(ratio) + " x", verdict(None if ratio is None else ratio <= 0.5)])
    rss = med(r["rss_mb"] for r in d)
    rows.append(["%d: build peak RSS < 1.5 GB" % big, fmt(rss, ".0f") + " MB", verdict(None if rss is None else rss < RSS_LIMIT_MB)])
    warm = med(r["wall"] for r in select(runs, "warm", "dossier", big))
    rows.append(["%d: warm rebuild < 2 s" % big, fmt(warm) + " s", verdict(None if warm is None else warm < 2)])
    for kind, label in (("check", "fresh clone"), ("check-warm", "parse cache kept")):
        check = med(r["wall"] for r in select(runs, kind, "dossier", big))
        rows.append(["%d: dossier check < 2 s (%s)" % (big, label), fmt(check) + " s",
                     verdict(None if check is None else check < 2)])
    if 1000 in sizes:
        one = med(r["wall"] for r in select(runs, "build", "dossier", 1000))
        rows.append(["1000: build wall < 1.5 s", fmt(one) + " s", verdict(None if one is None else one < 1.5)])
    elif small != big:
        rows.append(["(1000 not measured)", "", "-"])
    table(["target", "measured", ""], rows)


def main():
    work = sys.argv[1]
    runs = load_runs(work)
    sizes = sorted({r["size"] for r in runs})
    tools = [t for t in ("dossier", "hugo") if any(r["tool"] == t for r in runs)]
    machine = os.path.join(work, "runs", "machine.tsv")
    print("## dossier build benchmark\n")
    for line in open(machine, encoding="utf-8"):
        key, _, value = line.rstrip("\n").partition("\t")
        print("- %s: %s" % (key, value.replace("\t", ", ") or "not found"))
    print()
    full_builds(work, runs, sizes, tools)
    if "hugo" in tools:
        ratios(runs, sizes)
    stages(runs, sizes)
    check_and_warm(runs, sizes)
    targets(runs, sizes)


if __name__ == "__main__":
    main()
