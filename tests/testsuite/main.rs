//! The integration suite, one binary (mdBook's shape): fixture wikis copied to temp dirs and
//! checked by the real `dossier` executable with `today` pinned, plus property tests of the
//! loader. Fixtures live in `tests/fixtures/`, snapshots in `tests/testsuite/snapshots/`.

mod accessibility;
mod build;
mod build_cache;
mod changed_since;
mod check;
mod contributing;
mod corpus;
mod exit_codes;
mod external;
mod formats;
mod git_cli;
mod harness;
mod history;
mod layers;
mod links;
mod local_server;
mod minify;
mod netlify;
mod new_schema;
mod proptest_loader;
mod search;
mod serve;
