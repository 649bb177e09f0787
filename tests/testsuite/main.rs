//! The integration suite, one binary (mdBook's shape): fixture wikis copied to temp dirs and
//! checked by the real `dossier` executable with `today` pinned, plus property tests of the
//! loader. Fixtures live in `tests/fixtures/`, snapshots in `tests/testsuite/snapshots/`.

mod check;
mod exit_codes;
mod formats;
mod harness;
mod new_schema;
mod proptest_loader;
