#!/usr/bin/env bash
# The one test command (README, CI): installs what the tests need, then runs the tests,
# clippy and rustfmt. Safe to run again; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  fi
fi
# The search and live-reload tests drive Chromium with playwright-core (no browser download), pinned by the lock file.
[ -d tests/browser/node_modules/playwright-core ] || npm ci --prefix tests/browser --no-audit --no-fund
# The build tests validate every page with the Nu HTML Checker (the jar from npm; java runs it).
[ -f tests/vnu/node_modules/vnu-jar/build/dist/vnu.jar ] ||
  npm install --prefix tests/vnu --no-save --ignore-scripts --no-audit --no-fund vnu-jar@26.9.27

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
cargo run --locked --quiet -- check --format github
