//! Scrubbing: personal data in responses is replaced by filler of the same length, keeping
//! the TLV structure, so a trace can leave the holder's hands.
//!
//! Which bytes go depends on the file the response data came from (followed with
//! [`super::decode::Tracker`], across READ BINARY chunks and GET RESPONSE):
//!
//! | file | what is replaced |
//! |---|---|
//! | JPKI EF `0001`, `000A` (the holder's certificates) | serial number, every subject value, the public key's modulus, every extension value except keyUsage, basicConstraints, extKeyUsage, authorityKeyIdentifier, certificatePolicies and authorityInfoAccess (so subjectAltName: name, address, birth date, sex), unique identifiers and the signature. OIDs, tags, lengths, issuer and validity stay, so the certificate still parses but neither its chain nor a signature checked with its key verifies. |
//! | JPKI EF `0002`, `0006`, `0008`, `000B` | nothing (CA certificates, token label, availability) |
//! | EF `0004` of the text (入力補助) and card-face (券面) applications | nothing (the application's CV certificate, the same on every card) |
//! | other EFs of those applications | every value (digits become `0`, so numbers and dates still parse; an RSA modulus becomes all ones, its exponent stays); the tags and lengths of known containers (`FF20`, `DF24`, …) and the offset tables (`DF21`) stay |
//! | READ RECORD and GET DATA data, reads whose file is unknown, other JPKI EFs | all data |
//!
//! Signatures, challenges and status words are kept. When a file cannot be parsed (a
//! session cut mid-read), all of its bytes are replaced: scrubbing fails closed.

use std::collections::BTreeMap;
use std::ops::Range;

use super::decode::{DataSource, Tracker, ef_name};
use super::format::{ScrubbedRange, Trace};
use mynakit::aid;
use mynakit::ber::{HeaderParse, parse_header};

/// Filler for text and opaque bytes.
const FILL: u8 = b'X';

/// The largest file reassembled to scrub it by its structure (bytes): an EF read over
/// short or extended APDUs ends before offset 32 767 + 65 536.
const MAX_IMAGE_BYTES: usize = 128 << 10;
/// The most files reassembled in one trace (a full session reads about ten). Data of
/// files beyond these bounds is scrubbed whole: never left in clear.
const MAX_IMAGES: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Keep,
    Certificate,
    Tlv(&'static [u32]),
    Whole,
}

/// Containers of the text application whose children are TLVs (card-protocol §3.2).
/// `FF10` is not one: it holds the My Number as raw digits.
const TEXT_CONTAINERS: &[u32] = &[0xFF20, 0xFF30, 0xFF40, 0xFF50, 0x7F21, 0xA1, 0xDF51];
/// Containers of the card-face application (card-protocol §3.3).
const FACE_CONTAINERS: &[u32] = &[
    0xFF10, 0xFF20, 0xFF30, 0xFF40, 0x7F21, 0xA1, 0xDF12, 0xDF24, 0xDF42,
];

fn rule_for(source: &DataSource) -> Rule {
    match source {
        DataSource::Binary {
            app: Some(app),
            fid: Some(fid),
            ..
        } => {
            if app.as_slice() == aid::JPKI {
                match fid {
                    0x0002 | 0x0006 | 0x0008 | 0x000B => Rule::Keep,
                    0x0001 | 0x000A => Rule::Certificate,
                    _ => Rule::Whole,
                }
            } else if (app.as_slice() == aid::TEXT || app.as_slice() == aid::FACE) && *fid == 0x0004
            {
                // The application's CV certificate: the same on every card.
                Rule::Keep
            } else if app.as_slice() == aid::TEXT {
                Rule::Tlv(TEXT_CONTAINERS)
            } else if app.as_slice() == aid::FACE {
                Rule::Tlv(FACE_CONTAINERS)
            } else {
                Rule::Tlv(&[])
            }
        }
        DataSource::Binary { .. } | DataSource::Record { .. } | DataSource::DataObject { .. } => {
            Rule::Whole
        }
        DataSource::Other => Rule::Keep,
    }
}

fn source_label(source: &DataSource) -> String {
    match source {
        DataSource::Binary { app, fid, .. } => {
            let app_text = app
                .as_deref()
                .map(|a| {
                    aid::name(a)
                        .map(str::to_string)
                        .unwrap_or_else(|| hex::encode_upper(a))
                })
                .unwrap_or_else(|| "unknown application".into());
            match fid {
                Some(f) => match ef_name(app.as_deref(), *f) {
                    Some(n) => format!("{app_text} EF {f:04X} ({n})"),
                    None => format!("{app_text} EF {f:04X}"),
                },
                None => format!("{app_text}, unknown EF"),
            }
        }
        DataSource::Record { record, .. } => format!("record {record}"),
        DataSource::DataObject { tag } => format!("data object {tag:04X}"),
        DataSource::Other => "response data".into(),
    }
}

/// One TLV found in a buffer, with absolute positions.
#[derive(Clone, Debug)]
struct Node {
    tag: u32,
    value: Range<usize>,
}

fn node_at(buf: &[u8], pos: usize, limit: usize) -> Option<Node> {
    let slice = buf.get(pos..limit)?;
    let HeaderParse::Complete(h) = parse_header(slice).ok()? else {
        return None;
    };
    let start = pos.checked_add(h.header_len())?;
    let end = start.checked_add(h.value_len)?;
    if end > limit {
        return None;
    }
    Some(Node {
        tag: h.tag,
        value: start..end,
    })
}

/// The TLVs that exactly fill `range`.
fn children(buf: &[u8], range: Range<usize>) -> Option<Vec<Node>> {
    let mut out = Vec::new();
    let mut pos = range.start;
    while pos < range.end {
        let n = node_at(buf, pos, range.end)?;
        pos = n.value.end;
        out.push(n);
    }
    Some(out)
}

/// Records and applies replacements on a copy of a file.
struct Plan<'a> {
    img: &'a mut [u8],
    ranges: Vec<(Range<usize>, String)>,
}

impl Plan<'_> {
    fn fill(&mut self, r: Range<usize>, byte: u8, what: &str) {
        if r.is_empty() {
            return;
        }
        if let Some(s) = self.img.get_mut(r.clone()) {
            s.fill(byte);
            self.ranges.push((r, what.to_string()));
        }
    }

    /// Filler for a value: `0` digits for a value made of digits (dates, numbers, codes:
    /// it still parses as one), `X` otherwise.
    fn fill_value(&mut self, r: Range<usize>, what: &str) {
        let digits = self
            .img
            .get(r.clone())
            .is_some_and(|v| !v.is_empty() && v.iter().all(u8::is_ascii_digit));
        self.fill(r, if digits { b'0' } else { FILL }, what);
    }

    /// A positive INTEGER value of the same length that stays minimally encoded.
    fn fill_integer(&mut self, r: Range<usize>, what: &str) {
        let leading_zero = r.len() > 1 && self.img.get(r.start) == Some(&0);
        if leading_zero {
            self.fill(r.start.saturating_add(1)..r.end, 0xAA, what);
        } else {
            self.fill(r, 0x2A, what);
        }
    }

    /// A BIT STRING value: the unused-bits byte stays.
    fn fill_bits(&mut self, r: Range<usize>, what: &str) {
        let unused = self.img.get(r.start).copied().unwrap_or(0);
        let byte = if unused == 0 { FILL } else { 0 };
        self.fill(r.start.saturating_add(1)..r.end, byte, what);
    }

    /// Fills every primitive value below `range` except OIDs, BOOLEANs, NULLs and times,
    /// descending into constructed values. `None` when `range` is not made of TLVs.
    fn leaves(&mut self, range: Range<usize>, what: &str) -> Option<()> {
        let nodes = children(self.img, range)?;
        for n in nodes {
            let first = n
                .tag
                .to_be_bytes()
                .into_iter()
                .find(|&b| b != 0)
                .unwrap_or(0);
            let constructed = first & 0x20 != 0;
            if constructed {
                if self.leaves(n.value.clone(), what).is_none() {
                    self.fill(n.value.clone(), FILL, what);
                }
                continue;
            }
            match n.tag {
                0x01 | 0x05 | 0x06 | 0x17 | 0x18 => {}
                0x02 => self.fill_integer(n.value, what),
                0x03 => self.fill_bits(n.value, what),
                0x1E => {
                    // BMPString: two bytes per character.
                    for p in n.value.clone().step_by(2) {
                        let Some(next) = p.checked_add(1).filter(|&q| q < n.value.end) else {
                            break;
                        };
                        self.fill(p..next, 0, what);
                        self.fill(next..next.saturating_add(1), FILL, what);
                    }
                }
                _ => self.fill_value(n.value, what),
            }
        }
        Some(())
    }

    /// The certificate rule. `None` when the bytes are not a complete certificate.
    fn certificate(&mut self) -> Option<usize> {
        let cert = node_at(self.img, 0, self.img.len()).filter(|n| n.tag == 0x30)?;
        let parts = children(self.img, cert.value.clone())?;
        let [tbs, _alg, sig] = parts.as_slice() else {
            return None;
        };
        if tbs.tag != 0x30 || sig.tag != 0x03 {
            return None;
        }
        let fields = children(self.img, tbs.value.clone())?;
        let skip = usize::from(fields.first().is_some_and(|f| f.tag == 0xA0));
        let mut it = fields.into_iter().skip(skip);
        let serial = it.next().filter(|n| n.tag == 0x02)?;
        let _sig_alg = it.next()?;
        let _issuer = it.next()?;
        let _validity = it.next()?;
        let subject = it.next().filter(|n| n.tag == 0x30)?;
        let spki = it.next().filter(|n| n.tag == 0x30)?;
        self.fill_integer(serial.value, "serial number");
        self.leaves(subject.value, "subject")?;
        self.public_key(spki.value)?;
        for rest in it {
            match rest.tag {
                0xA3 => self.extensions(rest.value)?,
                _ => self.fill(rest.value, FILL, "unique identifier"),
            }
        }
        self.fill_bits(sig.value.clone(), "signature");
        Some(cert.value.end)
    }

    fn public_key(&mut self, spki: Range<usize>) -> Option<()> {
        let parts = children(self.img, spki)?;
        let bits = parts.get(1).filter(|n| n.tag == 0x03)?.clone();
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        let inner = bits.value.start.saturating_add(1)..bits.value.end;
        let modulus = node_at(self.img, inner.start, inner.end)
            .filter(|n| n.tag == 0x30 && n.value.end == inner.end)
            .and_then(|seq| children(self.img, seq.value))
            .and_then(|ints| ints.into_iter().next().filter(|n| n.tag == 0x02));
        match modulus {
            Some(n) => self.fill_integer(n.value, "public key"),
            None => self.fill_bits(bits.value, "public key"),
        }
        Some(())
    }

    fn extensions(&mut self, explicit: Range<usize>) -> Option<()> {
        let seq = node_at(self.img, explicit.start, explicit.end).filter(|n| n.tag == 0x30)?;
        for ext in children(self.img, seq.value)? {
            let parts = children(self.img, ext.value)?;
            let oid = parts.first().filter(|n| n.tag == 0x06)?;
            let oid_bytes = self.img.get(oid.value.clone())?.to_vec();
            if KEPT_EXTENSIONS
                .iter()
                .any(|(o, _)| *o == oid_bytes.as_slice())
            {
                continue;
            }
            let value = parts.iter().find(|n| n.tag == 0x04)?.value.clone();
            let what = format!("extension {}", extension_name(&oid_bytes));
            if self.leaves(value.clone(), &what).is_none() {
                self.fill(value, FILL, &what);
            }
        }
        Some(())
    }

    /// The TLV rule: values are replaced, the headers of `containers` stay.
    fn tlv(&mut self, containers: &[u32]) -> Option<usize> {
        let top = node_at(self.img, 0, self.img.len())?;
        self.tlv_value(&top, containers);
        Some(top.value.end)
    }

    fn tlv_value(&mut self, node: &Node, containers: &[u32]) {
        let what = format!("value {:X}", node.tag);
        if containers.contains(&node.tag)
            && let Some(kids) = children(self.img, node.value.clone())
        {
            for k in kids {
                self.tlv_value(&k, containers);
            }
            return;
        }
        match node.tag {
            // An RSA public key's exponent (65537 on every card) stays; its modulus
            // becomes 2^n - 1, so the key still parses but verifies nothing.
            0x90 => {}
            0x91 => self.fill(node.value.clone(), 0xFF, "public key"),
            // The offset table says where the fields are: structure, not data.
            0xDF21 => {}
            _ => self.fill_value(node.value.clone(), &what),
        }
    }
}

/// Extensions of the holder's certificates that say nothing about the holder.
const KEPT_EXTENSIONS: &[(&[u8], &str)] = &[
    (&[0x55, 0x1D, 0x0F], "keyUsage"),
    (&[0x55, 0x1D, 0x13], "basicConstraints"),
    (&[0x55, 0x1D, 0x25], "extKeyUsage"),
    (&[0x55, 0x1D, 0x23], "authorityKeyIdentifier"),
    (&[0x55, 0x1D, 0x20], "certificatePolicies"),
    (
        &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01],
        "authorityInfoAccess",
    ),
];

fn extension_name(oid: &[u8]) -> String {
    match oid {
        [0x55, 0x1D, 0x11] => "subjectAltName".into(),
        [0x55, 0x1D, 0x0E] => "subjectKeyIdentifier".into(),
        [0x55, 0x1D, 0x1F] => "cRLDistributionPoints".into(),
        [0x55, 0x1D, 0x12] => "issuerAltName".into(),
        _ => dotted(oid),
    }
}

fn dotted(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in oid {
        acc = (acc << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc.saturating_sub(first.saturating_mul(40)));
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// How many bytes of a response are data: all but the status word, unless the last two
/// bytes do not look like one (a cut or garbled answer), in which case every byte counts.
fn data_len(rsp: &[u8]) -> usize {
    match rsp {
        [.., 0x61..=0x6F | 0x90..=0x9F, _] => rsp.len().saturating_sub(2),
        _ => rsp.len(),
    }
}

struct Chunk {
    exchange: usize,
    len: usize,
    source: DataSource,
}

/// A file's scrubbed image and the ranges that changed.
struct FilePlan {
    image: Vec<u8>,
    ranges: Vec<(Range<usize>, String)>,
}

fn plan_file(image: &[Option<u8>], rule: Rule) -> FilePlan {
    let prefix_len = image.iter().take_while(|b| b.is_some()).count();
    let mut bytes: Vec<u8> = image.iter().map(|b| b.unwrap_or(0)).collect();
    let mut prefix: Vec<u8> = bytes.get(..prefix_len).unwrap_or_default().to_vec();
    let mut plan = Plan {
        img: &mut prefix,
        ranges: Vec::new(),
    };
    let parsed_end = match rule {
        Rule::Certificate => plan.certificate(),
        Rule::Tlv(containers) => plan.tlv(containers),
        Rule::Keep | Rule::Whole => None,
    };
    let mut ranges = plan.ranges;
    match parsed_end {
        Some(end) => {
            if let Some(dst) = bytes.get_mut(..prefix_len) {
                dst.copy_from_slice(&prefix);
            }
            // Filler after the object stays when it is filler; anything else goes.
            for (i, b) in bytes.iter_mut().enumerate().skip(end) {
                let known_filler = i < prefix_len && (*b == 0xFF || *b == 0x00);
                if !known_filler {
                    *b = FILL;
                    ranges.push((i..i.saturating_add(1), "data after the object".into()));
                }
            }
        }
        None => {
            bytes.fill(FILL);
            ranges = vec![(0..bytes.len(), "all data (not parseable)".into())];
        }
    }
    FilePlan {
        image: bytes,
        ranges,
    }
}

/// Merges adjacent ranges with the same label.
fn merge(mut ranges: Vec<ScrubbedRange>) -> Vec<ScrubbedRange> {
    ranges.sort_by_key(|r| r.offset);
    let mut out: Vec<ScrubbedRange> = Vec::new();
    for r in ranges {
        if let Some(last) = out.last_mut()
            && last.what == r.what
            && last.offset.checked_add(last.len) == Some(r.offset)
        {
            last.len = last.len.saturating_add(r.len);
            continue;
        }
        out.push(r);
    }
    out
}

/// Returns a copy of `trace` with personal data in responses replaced (see the module
/// documentation). Lengths, status words and the TLV structure stay; the header says the
/// trace is scrubbed and lists what was replaced.
pub fn scrub(trace: &Trace) -> Trace {
    let mut out = trace.clone();
    let mut tracker = Tracker::new();
    let mut chunks = Vec::new();
    for (i, x) in trace.exchanges.iter().enumerate() {
        let rsp = x.response.as_ref().ok();
        let a = tracker.step(
            &x.command,
            x.redacted.map(|r| r.len),
            rsp.map(Vec::as_slice),
        );
        if let Some(r) = rsp {
            chunks.push(Chunk {
                exchange: i,
                len: data_len(r),
                source: a.source,
            });
        }
    }

    // Reassemble each file that needs a structural rule.
    type Key = (Vec<u8>, u16);
    let mut images: BTreeMap<Key, (Vec<Option<u8>>, Rule, String)> = BTreeMap::new();
    let mut oversized: std::collections::BTreeSet<Key> = std::collections::BTreeSet::new();
    for c in &chunks {
        let rule = rule_for(&c.source);
        let DataSource::Binary {
            app: Some(app),
            fid: Some(fid),
            offset,
        } = &c.source
        else {
            continue;
        };
        if !matches!(rule, Rule::Certificate | Rule::Tlv(_)) {
            continue;
        }
        let Some(Ok(rsp)) = trace.exchanges.get(c.exchange).map(|x| x.response.as_ref()) else {
            continue;
        };
        let key = (app.clone(), *fid);
        let end = offset.saturating_add(c.len);
        if end > MAX_IMAGE_BYTES || (!images.contains_key(&key) && images.len() >= MAX_IMAGES) {
            oversized.insert(key);
            continue;
        }
        let entry = images
            .entry(key)
            .or_insert_with(|| (Vec::new(), rule, source_label(&c.source)));
        if entry.0.len() < end {
            entry.0.resize(end, None);
        }
        if let Some(slots) = entry.0.get_mut(*offset..end) {
            for (slot, b) in slots.iter_mut().zip(rsp.iter()) {
                *slot = Some(*b);
            }
        }
    }
    let plans: BTreeMap<Key, (FilePlan, String)> = images
        .into_iter()
        .filter(|(k, _)| !oversized.contains(k))
        .map(|(k, (img, rule, label))| (k, (plan_file(&img, rule), label)))
        .collect();

    let mut items: Vec<String> = Vec::new();
    let mut note_item = |label: &str, what: &str| {
        let entry = format!("{label}: {what}");
        if !items.contains(&entry) {
            items.push(entry);
        }
    };
    for c in &chunks {
        let Some(x) = out.exchanges.get_mut(c.exchange) else {
            continue;
        };
        let Ok(rsp) = x.response.as_mut() else {
            continue;
        };
        let mut scrubbed = Vec::new();
        match (rule_for(&c.source), &c.source) {
            (Rule::Keep, _) => {}
            (
                Rule::Certificate | Rule::Tlv(_),
                DataSource::Binary {
                    app: Some(app),
                    fid: Some(fid),
                    offset,
                },
            ) if plans.contains_key(&(app.clone(), *fid)) => {
                let Some((plan, label)) = plans.get(&(app.clone(), *fid)) else {
                    continue;
                };
                let chunk = *offset..offset.saturating_add(c.len);
                for (r, what) in &plan.ranges {
                    let start = r.start.max(chunk.start);
                    let end = r.end.min(chunk.end);
                    if start >= end {
                        continue;
                    }
                    // start >= chunk.start and end > start here.
                    let (from, len) =
                        (start.saturating_sub(chunk.start), end.saturating_sub(start));
                    let (Some(dst), Some(src)) = (
                        rsp.get_mut(from..from.saturating_add(len)),
                        plan.image.get(start..end),
                    ) else {
                        continue;
                    };
                    dst.copy_from_slice(src);
                    scrubbed.push(ScrubbedRange {
                        offset: from,
                        len,
                        what: what.clone(),
                    });
                    note_item(label, what);
                }
            }
            _ => {
                if let Some(d) = rsp.get_mut(..c.len) {
                    d.fill(FILL);
                }
                if c.len > 0 {
                    scrubbed.push(ScrubbedRange {
                        offset: 0,
                        len: c.len,
                        what: "all data".into(),
                    });
                    note_item(&source_label(&c.source), "all data");
                }
            }
        }
        x.scrubbed = merge(scrubbed);
    }
    out.header.scrubbed = true;
    out.header.scrubbed_items = items;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mynakit::ber::encode;

    #[test]
    fn oid_names() {
        assert_eq!(
            dotted(&[0x2A, 0x83, 0x08, 0x8C, 0x9A, 0x4B]),
            "1.2.392.200011"
        );
        assert_eq!(extension_name(&[0x55, 0x1D, 0x11]), "subjectAltName");
    }

    #[test]
    fn tlv_rule_keeps_container_structure_and_hides_values() {
        let name = "見本　花子".as_bytes();
        let inner = [encode(0xDF22, name), encode(0xDF24, b"20100101")].concat();
        let mut file = encode(0xFF20, &inner);
        let header_len = file.len() - inner.len();
        file.extend_from_slice(&[0xFF; 4]);
        let img: Vec<Option<u8>> = file.iter().copied().map(Some).collect();
        let plan = plan_file(&img, Rule::Tlv(TEXT_CONTAINERS));
        assert_eq!(plan.image.len(), file.len());
        // Tags and lengths stay, values are filler, trailing filler stays.
        assert_eq!(plan.image[..header_len], file[..header_len]);
        assert!(!plan.image.windows(name.len()).any(|w| w == name));
        assert!(!plan.image.windows(8).any(|w| w == b"20100101"));
        assert_eq!(plan.image[file.len() - 4..], [0xFF; 4]);
        let kept = mynakit::ber::first(&plan.image).map(|t| t.tag).ok();
        assert_eq!(kept, Some(0xFF20));

        // FF10 of the text AP holds raw digits: the whole value goes.
        let file = encode(0xFF10, b"123456789018");
        let img: Vec<Option<u8>> = file.iter().copied().map(Some).collect();
        let plan = plan_file(&img, Rule::Tlv(TEXT_CONTAINERS));
        assert!(!plan.image.windows(12).any(|w| w == b"123456789018"));

        // A cut file: everything goes.
        let img: Vec<Option<u8>> = file.iter().take(6).copied().map(Some).collect();
        let plan = plan_file(&img, Rule::Tlv(TEXT_CONTAINERS));
        assert!(plan.image.iter().all(|&b| b == FILL));
    }
}
