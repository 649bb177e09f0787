#!/usr/bin/env bash
# The one test command (README, .ci/run, .github/workflows/ci.yml): installs what the tests need,
# then runs rustfmt, clippy, the tests, the workflow and issue-form checks, and `dossier check`
# on the wiki. Safe to run again; it installs only what is missing, so it also passes on a fresh
# machine with an empty cargo home and npm cache.
#
# Env: CHROMIUM (a browser to drive instead of Debian's chromium, e.g. on GitHub's runners);
#      DOSSIER_CHANGED_SINCE (a git ref: `dossier check` then reports only what changed since it,
#      as CI does on a pull request).
set -euo pipefail
cd "$(dirname "$0")/.."

# The workflow linters, from PyPI, pinned; installed into a git-ignored venv.
ZIZMOR=zizmor==1.32.0
CHECK_JSONSCHEMA=check-jsonschema==0.39.0
TOOLS=.tools/venv

need_apt=()
if [ -n "${CHROMIUM:-}" ]; then
  [ -x "$CHROMIUM" ] || { echo "CHROMIUM=$CHROMIUM is not an executable" >&2; exit 2; }
else
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# Debian's python3 makes venvs only with python3-venv (ensurepip).
command -v python3 >/dev/null 2>&1 && python3 -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3 python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
# rustup installs only the toolchain's default components on some machines.
if command -v rustup >/dev/null 2>&1; then
  { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1 || rustup component add rustfmt clippy
fi
# The search, live-reload and accessibility tests drive Chromium with playwright-core (no browser
# download) and run axe-core in it, both pinned by the lock file.
[ -d tests/browser/node_modules/playwright-core ] && [ -d tests/browser/node_modules/axe-core ] ||
  npm ci --prefix tests/browser --no-audit --no-fund
# The build tests validate every page with the Nu HTML Checker (the jar from npm; java runs it).
[ -f tests/vnu/node_modules/vnu-jar/build/dist/vnu.jar ] ||
  npm install --prefix tests/vnu --no-save --ignore-scripts --no-audit --no-fund vnu-jar@26.9.27
if ! { "$TOOLS/bin/pip" freeze 2>/dev/null | grep -qx -e "$ZIZMOR" && "$TOOLS/bin/pip" freeze | grep -qx -e "$CHECK_JSONSCHEMA"; }; then
  rm -rf "$TOOLS"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet --disable-pip-version-check "$ZIZMOR" "$CHECK_JSONSCHEMA"
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked

# The workflows: zizmor's security audits (offline: no GitHub API), then the workflows, issue
# forms and issue-template settings against GitHub's schemas (bundled with check-jsonschema).
"$TOOLS/bin/zizmor" --offline --no-progress --persona auditor .github/workflows
"$TOOLS/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
forms=()
for form in .github/ISSUE_TEMPLATE/*.yml; do
  [ "$(basename "$form")" = config.yml ] || forms+=("$form")
done
"$TOOLS/bin/check-jsonschema" --builtin-schema vendor.github-issue-forms "${forms[@]}"
"$TOOLS/bin/check-jsonschema" --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml

check=(cargo run --locked --quiet -- check --format github)
[ -z "${DOSSIER_CHANGED_SINCE:-}" ] || check+=(--changed-since "$DOSSIER_CHANGED_SINCE")
"${check[@]}"
