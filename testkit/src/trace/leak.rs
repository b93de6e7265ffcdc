//! Searching recorded text for a secret in every encoding it could leak in. The trace
//! tests, and the Kotlin and Swift tests of traces recorded through the bindings, run the
//! same search.

/// Every encoding a secret could leak in: ASCII, hex (both cases), Base64 (padded or not),
/// UTF-16 (both byte orders, raw, hex and Base64) and JSON `\u` escapes (both cases).
pub fn encodings(secret: &str) -> Vec<(String, Vec<u8>)> {
    let ascii = secret.as_bytes().to_vec();
    let utf16le: Vec<u8> = secret.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = secret.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut out = vec![
        ("ascii".to_string(), ascii.clone()),
        ("hex upper".into(), hex::encode_upper(&ascii).into_bytes()),
        ("hex lower".into(), hex::encode(&ascii).into_bytes()),
        ("base64".into(), base64(&ascii).into_bytes()),
        (
            "base64 unpadded".into(),
            base64(&ascii).trim_end_matches('=').as_bytes().to_vec(),
        ),
        ("utf-16le".into(), utf16le.clone()),
        ("utf-16be".into(), utf16be.clone()),
        (
            "utf-16le hex".into(),
            hex::encode_upper(&utf16le).into_bytes(),
        ),
        (
            "utf-16be hex".into(),
            hex::encode_upper(&utf16be).into_bytes(),
        ),
        ("utf-16le base64".into(), base64(&utf16le).into_bytes()),
        (
            "json unicode escapes".into(),
            secret
                .chars()
                .map(|c| format!("\\u{:04x}", u32::from(c)))
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    out.push((
        "json unicode escapes upper".into(),
        secret
            .chars()
            .map(|c| format!("\\u{:04X}", u32::from(c)))
            .collect::<String>()
            .into_bytes(),
    ));
    out
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let b = |i: usize| chunk.get(i).copied().unwrap_or(0);
        let n = u32::from_be_bytes([0, b(0), b(1), b(2)]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let six = usize::try_from(n.checked_shr(shift).unwrap_or(0) & 63).unwrap_or(0);
                s.push(char::from(A.get(six).copied().unwrap_or(b'=')));
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// The encodings of `secret` found in `text` (empty: no leak).
pub fn find(text: &[u8], secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    encodings(secret)
        .into_iter()
        .filter(|(_, needle)| !needle.is_empty() && text.windows(needle.len()).any(|w| w == needle))
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_form_and_nothing_else() {
        // "8052": hex 38303532, Base64 ODA1Mg== (by hand: 0x383035 -> O D A 1, 0x32 -> M g).
        // Digits have no letter case in hex: both hex forms are the same bytes.
        assert_eq!(
            find(b"xx38303532xx", "8052"),
            vec!["hex upper".to_string(), "hex lower".to_string()]
        );
        assert_eq!(find(b"xxQ3xWxx", "Q3W").len(), 0);
        assert_eq!(find(b"..5a5a..", "ZZ"), vec!["hex lower".to_string()]);
        assert!(find(b"ODA1Mg==", "8052").contains(&"base64".to_string()));
        assert!(find(b"nothing here", "8052").is_empty());
        assert!(find(br"8\u0030", "8052").is_empty());
    }
}
