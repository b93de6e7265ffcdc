//! Application identifiers of the My Number Card (card-protocol notes §3, all \[C\]).

/// 公的個人認証AP (JPKI-AP).
pub const JPKI: &[u8] = &[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// 券面事項入力補助AP (card-info input assist, "text AP").
pub const TEXT: &[u8] = &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// 券面事項確認AP (券面AP, card face).
pub const FACE: &[u8] = &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

/// A human-readable name for a known AID.
pub fn name(aid: &[u8]) -> Option<&'static str> {
    match aid {
        JPKI => Some("JPKI-AP"),
        TEXT => Some("券面事項入力補助AP"),
        FACE => Some("券面AP"),
        _ => None,
    }
}
