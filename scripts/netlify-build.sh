#!/usr/bin/env bash
# Netlify's build command (netlify.toml): compile the generator from the committed Cargo.lock,
# then build the site into public/. Arguments go to `dossier build`: deploy previews pass
# `--base-url "$DEPLOY_PRIME_URL" --noindex`, and then also get an X-Robots-Tag header, since
# headers in netlify.toml apply to every deploy context alike.
#
# Caching: whenever Cargo.toml exists, Netlify's build image itself restores and saves target/,
# ~/.cargo/registry and ~/.rustup between builds, so a rebuild compiles only what changed and no
# cache plugin is needed for them. `dossier build` keeps its page cache in .dossier-cache/build
# (its default), which the netlify-plugin-cache entry in netlify.toml restores and saves, so a
# deploy re-renders only what changed. The tests run this script with a stand-in `cargo` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo --version >/dev/null 2>&1; then
  # rustup without a default toolchain: install stable for this build only.
  rustup toolchain install stable --profile minimal --no-self-update
  export RUSTUP_TOOLCHAIN=stable
fi
cargo --version
cargo build --release --locked

dossier="${CARGO_TARGET_DIR:-target}/release/dossier"
"$dossier" build --output public "$@"

for arg in "$@"; do
  if [ "$arg" = "--noindex" ]; then
    printf '/*\n  X-Robots-Tag: noindex\n' > public/_headers
  fi
done
