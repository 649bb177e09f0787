//! Colour contrast (WCAG 2.2): moves the syntax stylesheets' text colours until each is readable
//! on the background it is drawn on, so highlighted code passes the AA contrast check in the
//! light and the dark scheme whatever the syntect theme chose.

/// The contrast each text colour keeps with its background: AA's 4.5:1 for text, with a margin
/// for the rounding of colours to whole bytes.
const MIN_CONTRAST: f64 = 4.6;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

const BLACK: Rgb = Rgb(0, 0, 0);
const WHITE: Rgb = Rgb(255, 255, 255);

impl Rgb {
    /// `rrggbb` (any further digits, such as an alpha, are not read).
    pub fn parse(hex: &str) -> Option<Rgb> {
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// `share` of the way from `self` to `to`.
    fn toward(self, to: Rgb, share: f64) -> Rgb {
        let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * share).round().clamp(0.0, 255.0) as u8;
        Rgb(mix(self.0, to.0), mix(self.1, to.1), mix(self.2, to.2))
    }

    /// `self` if it is readable on `bg`, else the first colour readable on it going from `self`
    /// towards black or white (whichever contrasts more with `bg`) in steps of 5%.
    fn readable_on(self, bg: Rgb) -> Rgb {
        let extreme = if BLACK.contrast(bg) > WHITE.contrast(bg) { BLACK } else { WHITE };
        (0..=20)
            .map(|step| self.toward(extreme, f64::from(step) / 20.0))
            .find(|c| c.contrast(bg) >= MIN_CONTRAST)
            .unwrap_or(extreme)
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The next `color:` (not `background-color:`) declaration with a `#hex` value in `css`: where
/// its value starts, and the value.
pub fn next_color(css: &str) -> Option<(usize, &str)> {
    let mut from = 0;
    while let Some(found) = css[from..].find("color:") {
        let at = from + found;
        from = at + "color:".len();
        if css[..at].ends_with('-') {
            continue;
        }
        let value = css[from..].trim_start();
        let start = css.len() - value.len();
        let Some(hex) = value.strip_prefix('#') else { continue };
        let len = hex.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(hex.len());
        return Some((start, &css[start..start + 1 + len]));
    }
    None
}

/// The `background-color` a CSS rule sets, if any.
pub fn own_background(rule: &str) -> Option<Rgb> {
    let at = rule.find("background-color:")? + "background-color:".len();
    Rgb::parse(rule[at..].trim_start().strip_prefix('#')?)
}

/// `css` with every text colour made readable on its background: the rule's own
/// `background-color`, else `bg`. An `#rrggbbaa` colour is drawn over the background first.
pub fn readable(css: &str, bg: Rgb) -> String {
    let mut out = String::with_capacity(css.len());
    for rule in css.split_inclusive('}') {
        let bg = own_background(rule).unwrap_or(bg);
        let mut rest = rule;
        while let Some((at, value)) = next_color(rest) {
            out.push_str(&rest[..at]);
            let hex = &value[1..];
            match Rgb::parse(hex) {
                Some(fg) => {
                    let alpha = hex.get(6..8).and_then(|a| u8::from_str_radix(a, 16).ok()).unwrap_or(255);
                    out.push_str(&bg.toward(fg, f64::from(alpha) / 255.0).readable_on(bg).to_string());
                }
                None => out.push_str(value),
            }
            rest = &rest[at + value.len()..];
        }
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_wcags() {
        assert!((BLACK.contrast(WHITE) - 21.0).abs() < 1e-9);
        assert!((Rgb(0x76, 0x76, 0x76).contrast(WHITE) - 4.54).abs() < 0.01);
        assert_eq!(Rgb::parse("63a35c"), Some(Rgb(0x63, 0xa3, 0x5c)));
        assert_eq!(Rgb::parse("63a3"), None);
    }

    #[test]
    fn faint_colours_darken_on_light_and_lighten_on_dark_and_readable_ones_stay() {
        let light = Rgb(0xf3, 0xf4, 0xf6);
        let css = ".a {\n color: #63a35c;\n}\n.b { color: #183691; font-style: italic; }\n.c { color:#96989680; }";
        let out = readable(css, light);
        assert!(out.contains(".b { color: #183691; font-style: italic; }"), "{out}");
        let mut colours = Vec::new();
        let mut rest = out.as_str();
        while let Some((at, value)) = next_color(rest) {
            colours.push(value.to_owned());
            rest = &rest[at + value.len()..];
        }
        assert_eq!(colours.len(), 3, "{out}");
        for c in &colours {
            let c = Rgb::parse(&c[1..]).unwrap();
            assert!(c.contrast(light) >= 4.5, "{c} on {light}");
        }
        let dark = Rgb(0x1f, 0x23, 0x28);
        let lifted = Rgb::parse(&readable(".a { color: #65737e; }", dark)[13..19]).unwrap();
        assert!(lifted.contrast(dark) >= 4.5 && lifted.luminance() > Rgb(0x65, 0x73, 0x7e).luminance());
    }

    #[test]
    fn a_rule_with_its_own_background_is_read_against_it() {
        let out = readable(".x { color: #ffffff; background-color: #bf616a; }", Rgb(0x1f, 0x23, 0x28));
        let (at, value) = next_color(&out).unwrap();
        assert!(at > 0);
        let fg = Rgb::parse(&value[1..]).unwrap();
        assert!(fg.contrast(Rgb(0xbf, 0x61, 0x6a)) >= 4.5, "{out}");
    }
}
