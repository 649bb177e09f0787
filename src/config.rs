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
    /// The wiki's repository (e.g. `https://github.com/OWNER/REPO`), for the "edit this page",
    /// history and "report a problem" links, in the URL shapes of its forge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_url: Option<Spanned<String>>,
    /// The forge hosting `repo_url`; needed only when its host does not say (github.com,
    /// gitlab.com, codeberg.org and hosts named `gitlab.*`, `gitea.*` or `forgejo.*` do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forge: Option<Forge>,
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

/// A kind of forge, which decides the shape of links into a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    GitHub,
    GitLab,
    /// Gitea and its fork Forgejo (which Codeberg runs): the same URL shapes.
    Gitea,
}

impl Forge {
    /// The forge a repository URL's host names, if it does.
    pub fn of_host(host: &str) -> Option<Forge> {
        let host = host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        match host {
            "github.com" => Some(Forge::GitHub),
            "gitlab.com" => Some(Forge::GitLab),
            "codeberg.org" => Some(Forge::Gitea),
            _ if host.starts_with("gitlab.") => Some(Forge::GitLab),
            _ if host.starts_with("gitea.") || host.starts_with("forgejo.") => Some(Forge::Gitea),
            _ => None,
        }
    }
}

/// Links into the wiki's repository on its forge: the one place that knows their shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoLinks {
    repo: String,
    branch: String,
    forge: Forge,
}

impl RepoLinks {
    /// The links of the settings' repository: `None` without `repo_url`, or when its forge is
    /// neither named nor known by its host (`check` reports that as `unknown-forge`).
    pub fn of(config: &Config) -> Option<RepoLinks> {
        let repo = config.repo_url.as_ref()?.value.trim().trim_end_matches('/').to_owned();
        let forge = config.forge.or_else(|| url::Url::parse(&repo).ok()?.host_str().and_then(Forge::of_host))?;
        Some(RepoLinks { repo, branch: config.repo_branch.clone(), forge })
    }

    /// The forge's editor for the file at `path` (relative to the repository root).
    pub fn edit(&self, path: &str) -> String {
        let RepoLinks { repo, branch, .. } = self;
        match self.forge {
            Forge::GitHub => format!("{repo}/edit/{branch}/{path}"),
            Forge::GitLab => format!("{repo}/-/edit/{branch}/{path}"),
            Forge::Gitea => format!("{repo}/_edit/{branch}/{path}"),
        }
    }

    /// The commits that touched the file at `path`.
    pub fn history(&self, path: &str) -> String {
        let RepoLinks { repo, branch, .. } = self;
        match self.forge {
            Forge::GitHub => format!("{repo}/commits/{branch}/{path}"),
            Forge::GitLab => format!("{repo}/-/commits/{branch}/{path}"),
            Forge::Gitea => format!("{repo}/commits/branch/{branch}/{path}"),
        }
    }

    /// One commit, by its full id.
    pub fn commit(&self, id: &str) -> String {
        let repo = &self.repo;
        match self.forge {
            Forge::GitHub | Forge::Gitea => format!("{repo}/commit/{id}"),
            Forge::GitLab => format!("{repo}/-/commit/{id}"),
        }
    }

    /// Where a reader opens an issue: the template chooser where the forge has one.
    pub fn new_issue(&self) -> String {
        let repo = &self.repo;
        match self.forge {
            Forge::GitHub | Forge::Gitea => format!("{repo}/issues/new/choose"),
            Forge::GitLab => format!("{repo}/-/issues/new"),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn links(repo: &str, forge: Option<Forge>) -> Option<RepoLinks> {
        let yaml =
            format!("title: t\ndescription: d\nbase_url: https://w.example/\nrepo_url: {repo}\nrepo_branch: trunk\n");
        let mut config: Config = serde_saphyr::from_str(&yaml).expect("settings");
        config.forge = forge;
        RepoLinks::of(&config)
    }

    #[test]
    fn each_forge_has_its_own_url_shapes() {
        let path = "content/providers/a.md";
        let github = links("https://github.com/o/wiki/", None).expect("github.com is GitHub");
        assert_eq!(github.edit(path), "https://github.com/o/wiki/edit/trunk/content/providers/a.md");
        assert_eq!(github.history(path), "https://github.com/o/wiki/commits/trunk/content/providers/a.md");
        assert_eq!(github.new_issue(), "https://github.com/o/wiki/issues/new/choose");
        assert_eq!(github.commit("0a1b"), "https://github.com/o/wiki/commit/0a1b");
        let gitlab = links("https://gitlab.com/g/wiki", None).expect("gitlab.com is GitLab");
        assert_eq!(gitlab.edit(path), "https://gitlab.com/g/wiki/-/edit/trunk/content/providers/a.md");
        assert_eq!(gitlab.history(path), "https://gitlab.com/g/wiki/-/commits/trunk/content/providers/a.md");
        assert_eq!(gitlab.new_issue(), "https://gitlab.com/g/wiki/-/issues/new");
        assert_eq!(gitlab.commit("0a1b"), "https://gitlab.com/g/wiki/-/commit/0a1b");
        let codeberg = links("https://codeberg.org/o/wiki", None).expect("Codeberg runs Forgejo");
        assert_eq!(codeberg.edit(path), "https://codeberg.org/o/wiki/_edit/trunk/content/providers/a.md");
        assert_eq!(codeberg.history(path), "https://codeberg.org/o/wiki/commits/branch/trunk/content/providers/a.md");
        assert_eq!(codeberg.new_issue(), "https://codeberg.org/o/wiki/issues/new/choose");
        assert_eq!(codeberg.commit("0a1b"), "https://codeberg.org/o/wiki/commit/0a1b");
    }

    #[test]
    fn an_unknown_host_needs_the_forge_named() {
        assert_eq!(links("https://git.example.org/wiki", None), None);
        let named = links("https://git.example.org/wiki", Some(Forge::GitLab)).expect("named");
        assert_eq!(named.new_issue(), "https://git.example.org/wiki/-/issues/new");
        assert_eq!(links("https://gitea.example.org/wiki", None).map(|l| l.forge), Some(Forge::Gitea));
        assert_eq!(links("https://gitlab.example.org/wiki", None).map(|l| l.forge), Some(Forge::GitLab));
        assert_eq!(links("not a url", None), None);
    }
}
