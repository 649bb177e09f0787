//! The random stream and the words drawn from it: a SplitMix64 generator keyed by text, and
//! a vocabulary of about 6,600 terms with Zipf-like weights.

use std::collections::HashSet;

const COMMON: &str = "the of and to a in is that for it as with was on be by this are or from at an which but not \
    have has can also its more their they will one all other been were when some than into only most these may would \
    over such about after we there what new any out up use so those no while then if could through both each during \
    between should under where how per does made many before any same own well very because still against without \
    within since across";

const DOMAIN: &str = "mail hosting server servers storage backup backups domain domains record records mailbox \
    mailboxes account accounts customer customers user users data privacy policy policies encryption encrypted key \
    keys support plan plans price pricing invoice billing region regions datacenter datacenters network uptime outage \
    outages incident incidents latency bandwidth traffic provider providers service services feature features \
    security audit audits certificate certificates retention logs logging jurisdiction law laws request requests \
    government transparency report reports company subsidiary owner ownership terms contract migration export import \
    archive archives spam filter filtering quota quotas alias aliases forwarding webmail client clients protocol \
    protocols imap smtp pop3 tls ssl dns resolver nameserver nameservers zone zones propagation ttl snapshot snapshots \
    volume volumes instance instances kernel firewall ddos mitigation anycast edge cache caching bucket buckets object \
    objects replication redundancy availability sla refund trial discount vault password passwords sharing family \
    business team teams admin panel dashboard api token tokens webhook webhooks cli terraform ipv6 ipv4 routing \
    peering transit abuse complaint complaints court ruling warrant canary disclosure vulnerability bounty researcher \
    researchers patch patches release releases version versions deprecation roadmap";

const ADJECTIVES: &str = "reliable affordable independent transparent documented undocumented slow fast cheap \
    expensive small large european american swiss german nordic open proprietary audited unaudited recent older \
    default optional mandatory limited generous strict lenient public private encrypted plain annual monthly manual \
    automatic regional global dedicated shared";

pub const SYLLABLES: [&str; 43] = [
    "ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo", "zu", "bran", "cor", "del",
    "fen", "gar", "hol", "jun", "kel", "lor", "mar", "nes", "ost", "pel", "quin", "ros", "sten", "tor", "ul", "var",
    "wen", "yst", "zel", "an", "ex", "is", "on", "ur", "ta",
];

const PSEUDO_WORDS: usize = 6000;

/// A small, fast, well-mixed generator (SplitMix64), so the corpus needs no dependency.
pub struct Rng(u64);

impl Rng {
    /// A stream keyed by text (FNV-1a of the key), e.g. `"1:42"` for document 42 of seed 1.
    pub fn keyed(key: &str) -> Rng {
        let hash =
            key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        Rng(hash)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything a benchmark sees).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` distinct items, in draw order.
    pub fn sample<T: Copy>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut pool = items.to_vec();
        self.shuffle(&mut pool);
        pool.truncate(k);
        pool
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// About 6,600 words with Zipf-like weights: common words first, then domain words, adjectives
/// and a long tail of pseudo-words, so a search index sees a realistic number of terms.
pub struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    pub fn new() -> Vocabulary {
        let mut words: Vec<String> =
            [COMMON, DOMAIN, ADJECTIVES].iter().flat_map(|list| list.split_whitespace()).map(str::to_owned).collect();
        let mut r = Rng::keyed("pseudo-words");
        let mut seen = HashSet::new();
        while seen.len() < PSEUDO_WORDS {
            let word: String = (0..r.range(2, 4)).map(|_| *r.pick(&SYLLABLES)).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (0..words.len())
            .map(|rank| {
                total += 1.0 / (rank as f64 + 3.0).powf(1.05);
                total
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    fn word(&self, r: &mut Rng) -> &str {
        let x = r.unit() * self.cumulative[self.cumulative.len() - 1];
        let i = self.cumulative.partition_point(|&c| c <= x).min(self.words.len() - 1);
        &self.words[i]
    }

    pub fn words(&self, r: &mut Rng, n: usize) -> Vec<String> {
        (0..n).map(|_| self.word(r).to_owned()).collect()
    }
}
