//! The fenced code blocks of a generated body: shell, YAML and TOML about the provider's mail
//! and DNS records, as dossiers quote them, so the highlighter sees realistic input.

use super::random::Rng;

/// A fenced block in bash, yaml or toml, about the provider's mail and DNS records.
pub fn code_block(r: &mut Rng, slug: &str) -> String {
    let dom = format!("{slug}.example");
    let (lang, lines) = match r.below(4) {
        0 => (
            "bash",
            vec![
                format!("# check the published mail records for {dom}"),
                format!("dig +short MX {dom}"),
                format!("dig +short TXT {dom} | grep v=spf1"),
                format!("dig +short TXT _dmarc.{dom}"),
                "for sel in s1 s2; do".to_owned(),
                format!("  dig +short TXT \"$sel._domainkey.{dom}\""),
                "done".to_owned(),
                format!("openssl s_client -starttls smtp -connect mx1.{dom}:25 </dev/null | head -n 20"),
            ],
        ),
        1 => (
            "bash",
            vec![
                "# rotate the DKIM key (2048-bit) and print the DNS record".to_owned(),
                format!("opendkim-genkey -b 2048 -d {dom} -s k{} -v", r.range(1, 9)),
                "cat k*.txt".to_owned(),
                format!("curl -fsS https://api.{dom}/v1/domains/{dom}/dkim \\"),
                "  -H \"Authorization: Bearer $TOKEN\" | jq '.records[]'".to_owned(),
            ],
        ),
        2 => (
            "yaml",
            vec![
                format!("# zone fragment for {dom}"),
                "records:".to_owned(),
                "  - name: \"@\"".to_owned(),
                "    type: MX".to_owned(),
                "    priority: 10".to_owned(),
                format!("    value: mx1.{dom}."),
                "  - name: \"@\"".to_owned(),
                "    type: TXT".to_owned(),
                format!("    value: \"v=spf1 include:_spf.{dom} -all\""),
                "  - name: _dmarc".to_owned(),
                "    type: TXT".to_owned(),
                format!("    value: \"v=DMARC1; p=quarantine; rua=mailto:dmarc@{dom}\""),
                "  - name: s1._domainkey".to_owned(),
                "    type: CNAME".to_owned(),
                format!("    value: s1.dkim.{dom}."),
                format!("    ttl: {}", r.pick(&[300, 3600, 86400])),
            ],
        ),
        _ => (
            "toml",
            vec![
                "# provider settings used by our mail relay".to_owned(),
                "[relay]".to_owned(),
                format!("host = \"smtp.{dom}\""),
                "port = 587".to_owned(),
                "starttls = true".to_owned(),
                String::new(),
                "[dkim]".to_owned(),
                format!("selector = \"s{}\"", r.range(1, 4)),
                "key_bits = 2048".to_owned(),
                String::new(),
                "[spf]".to_owned(),
                format!("record = \"v=spf1 include:_spf.{dom} ~all\""),
            ],
        ),
    };
    format!("```{lang}\n{}\n```", lines.join("\n"))
}
