//! The commands: each a short recipe over the pipeline stages.

pub mod build;
pub mod check;
pub mod diff;
pub mod new;
pub mod schema;
pub mod serve;
