//! What the render stage's unit tests share: settings for the test wikis of
//! [`crate::testing`], and their dossiers summarised as the listings receive them.

use super::{Links, RenderedDossier, Settings, rendered_dossier, views};
use crate::site::Site;

pub fn settings() -> Settings {
    Settings {
        today: crate::testing::today(),
        base_url: None,
        drafts: false,
        edited: Default::default(),
        history: Default::default(),
        pending_base: None,
        noindex: false,
        reload_script: None,
        minify: true,
    }
}

pub fn links(site: &Site) -> Links {
    let config = site.config.as_ref().expect("the test wiki has settings");
    Links::new(&config.base_url, config)
}

/// Every dossier of `site`, in slug order, as the listings see it.
pub fn done(site: &Site, settings: &Settings) -> Vec<RenderedDossier> {
    let links = links(site);
    site.dossiers
        .values()
        .map(|d| {
            let (summary, claims) = views::summarize(site, d, settings, &links);
            rendered_dossier(d, 0, summary, claims)
        })
        .collect()
}
