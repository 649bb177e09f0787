//! `dossier serve`: build into memory, serve, rebuild on every edit, reload the browser.

use crate::model::Date;
use crate::serve::{self, ServeOptions};

pub fn run(options: &ServeOptions, today: Date) -> anyhow::Result<()> {
    serve::serve(options, today)
}
