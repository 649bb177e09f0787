//! Site settings: the shape of `content/site.yaml`, read by every stage that needs a setting.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Spanned;

/// Where the settings live, relative to the wiki root.
pub const CONFIG_PATH: &str = "content/site.yaml";

/// `content/site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Absolute URL the site is published at; `build --base-url` overrides it.
    pub base_url: Spanned<String>,
    /// The wiki's repository, for "edit this page" and history links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_url: Option<Spanned<String>>,
    #[serde(default = "default_branch")]
    pub repo_branch: String,
    /// Days after `verified` when a claim is flagged for re-verification.
    #[serde(default = "default_stale_after_days")]
    pub stale_after_days: u32,
    /// BCP 47 language tag of the content.
    #[serde(default = "default_language")]
    pub language: String,
    /// The folder under `themes/` whose templates override the default theme.
    #[serde(default = "default_theme")]
    pub theme: String,
}

fn default_branch() -> String {
    "main".into()
}

fn default_stale_after_days() -> u32 {
    365
}

fn default_language() -> String {
    "en".into()
}

fn default_theme() -> String {
    "default".into()
}
