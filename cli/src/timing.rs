//! A model of the time a My Number Card must stay on the phone: ISO/IEC 14443 Type B
//! framing at 106, 212 and 424 kbit/s, the phone's per-transceive latency and the card's
//! processing time, per APDU of an operation.
//!
//! The card is ISO/IEC 14443 Type B (card-protocol §1). One APDU exchange is modelled as
//!
//! ```text
//! phone latency
//!   + PCD frames of the command (chained above the card's frame size FSC, each chained
//!     block acknowledged by the card with an R(ACK) block)
//!   + TR0 + card processing (+ S(WTX) exchanges when the processing exceeds FWT)
//!   + PICC frames of the response (chained above the phone's frame size FSD, each
//!     chained block acknowledged by the phone with an R(ACK) block)
//! ```
//!
//! with a PCD frame = SOF + 10 etu per byte (start bit, 8 data bits, stop bit) + EOF and a
//! PICC frame = TR1 + the same, every block carrying PCB + CRC_B around its INF field.
//! A session adds the card's activation (REQB/ATQB, ATTRIB and its answer, always at
//! 106 kbit/s) and one phone latency for connecting. Not modelled: the phone's polling
//! loop before it finds the card, presence checks between APDUs, retransmissions after
//! RF errors, and the app's own work between APDUs.
//!
//! Every constant below carries its source or the label **assumption**. Sources for the
//! ISO/IEC 14443 values (the standard's text is not public) are public summaries that
//! agree with one another: the Proxmark3 ISO 14443B implementation's notes
//! (`RfidResearchGroup/proxmark3`, `armsrc/iso14443b.c`: etu = 128/fc, 10 etu per
//! character, SOF 10–11 + 2–3 etu, EOF 10–11 etu, 80/fs ≤ TR1 ≤ 200/fs, frame delay
//! PICC→PCD 14 etu after ISO/IEC 14443-3 Amd. 1), the TI TRF7970A datasheet (ISO 14443B
//! TX options register 0x02: SOF/EOF lengths, EGT 0–7 etu) and the Atmel AT88RF1354 guide
//! (FWT = 32 etu × 2^FWI at 106 kbit/s, i.e. (256 × 16 / fc) × 2^FWI).

use mynakit_testkit::trace::Trace;
use serde::Serialize;

/// The carrier frequency fc (ISO/IEC 14443-2): 13.56 MHz.
pub const FC_HZ: f64 = 13_560_000.0;

/// Bits of one Type B character: start bit, 8 data bits, stop bit (ISO/IEC 14443-3,
/// character format; proxmark3 notes "10 ETU = 1 startbit, 8 databits, 1 stopbit").
pub const ETU_PER_BYTE: f64 = 10.0;

/// Extra guard time between characters, in etu. ISO/IEC 14443-3 allows 0 to about 6 etu
/// from the phone (57 µs at 106 kbit/s) and 0 to 2 etu from the card (TRF7970A register
/// 0x02 sets 0–7 etu). **Assumption**: 0, the minimum (a faster link than the worst case).
pub const EGT_ETU: f64 = 0.0;

/// Start of frame: 10–11 etu low then 2–3 etu high (ISO/IEC 14443-3; TRF7970A register
/// 0x02; proxmark3 notes). The minimum, 10 + 2, is used.
pub const SOF_ETU: f64 = 12.0;

/// End of frame: 10–11 etu low (same sources). The minimum is used.
pub const EOF_ETU: f64 = 10.0;

/// TR0, the card's guard time after the phone's frame before it answers: 64/fs with the
/// subcarrier fs = fc/16, i.e. 1024/fc ≈ 75.5 µs (the ISO/IEC 14443-2 minimum at
/// 106 kbit/s as we read the standard; the public excerpts above do not state it, so treat
/// it as an **assumption**; it adds under 0.1 ms per frame either way). **Assumption**: the
/// same time at 212 and 424 kbit/s.
pub const TR0_FC: f64 = 1024.0;

/// TR1, the unmodulated subcarrier the card sends before its SOF: 80/fs ≤ TR1 ≤ 200/fs
/// (ISO/IEC 14443-2; proxmark3 notes), minimum 80/fs = 1280/fc ≈ 94.4 µs.
/// **Assumption**: the same time at 212 and 424 kbit/s.
pub const TR1_FC: f64 = 1280.0;

/// The phone's wait after the card's EOF before its next frame (frame delay time
/// PICC→PCD): 14 etu (ISO/IEC 14443-3 Amd. 1, as the proxmark3 notes give it).
pub const TR2_ETU: f64 = 14.0;

/// Prologue and epilogue of an ISO/IEC 14443-4 block without CID and NAD: PCB (1 byte) +
/// CRC_B (2 bytes). **Assumption**: the phone uses neither CID nor NAD with a single card.
pub const BLOCK_OVERHEAD: usize = 3;

/// An R(ACK) block: PCB + CRC_B (ISO/IEC 14443-4 R-block, no INF).
pub const R_BLOCK_BYTES: usize = 3;

/// An S(WTX) block: PCB + WTXM (1 byte INF) + CRC_B.
pub const S_WTX_BYTES: usize = 4;

/// Activation frames at 106 kbit/s (ISO/IEC 14443-3 Type B command formats as we read
/// them; not in the public excerpts above), bytes with CRC_B:
/// REQB = APf + AFI + PARAM + CRC_B = 5.
pub const REQB_BYTES: usize = 5;
/// ATQB = `50` + PUPI (4) + application data (4) + protocol info (3) + CRC_B = 14.
pub const ATQB_BYTES: usize = 14;
/// ATTRIB = `1D` + identifier (4) + Param 1–4 (4) + CRC_B = 11 (no higher-layer INF).
pub const ATTRIB_BYTES: usize = 11;
/// Answer to ATTRIB = MBLI/CID (1) + CRC_B = 3.
pub const ATTRIB_ANSWER_BYTES: usize = 3;

/// The bit rates of ISO/IEC 14443 the model covers: fc/128, fc/64, fc/32.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BitRate {
    /// fc/128 ≈ 106 kbit/s (every card and phone).
    K106,
    /// fc/64 ≈ 212 kbit/s.
    K212,
    /// fc/32 ≈ 424 kbit/s.
    K424,
}

impl BitRate {
    /// The three rates, slowest first.
    pub const ALL: [BitRate; 3] = [BitRate::K106, BitRate::K212, BitRate::K424];

    /// Carrier cycles per etu (ISO/IEC 14443-2: fc/128, fc/64, fc/32).
    pub fn fc_per_etu(self) -> f64 {
        match self {
            BitRate::K106 => 128.0,
            BitRate::K212 => 64.0,
            BitRate::K424 => 32.0,
        }
    }

    /// One etu in microseconds.
    pub fn etu_us(self) -> f64 {
        self.fc_per_etu() / FC_HZ * 1e6
    }
}

/// What the card does for a command, for its processing time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CardWork {
    /// SELECT (`A4`).
    Select,
    /// READ BINARY (`B0`) or GET RESPONSE (`C0`).
    Read,
    /// VERIFY with a value (`20`, data present): a try, counters written.
    VerifyTry,
    /// VERIFY without data: the retry-counter query.
    VerifyQuery,
    /// An RSA-2048 private-key operation: COMPUTE DIGITAL SIGNATURE (`80 2A`) or
    /// INTERNAL AUTHENTICATE (`88`) answered `9000` or `61xx`.
    PrivateKey,
    /// A private-key command the card refused with an error status (e.g. `6A86` for the
    /// key named in P2 on a card without that form): nothing was computed.
    RefusedPrivateKey,
    /// Anything else (GET CHALLENGE, …).
    Other,
}

impl CardWork {
    /// The kind of a command APDU (header bytes; the data field is not looked at).
    pub fn of(command: &[u8], has_data: bool) -> CardWork {
        match (command.first(), command.get(1)) {
            (_, Some(0xA4)) => CardWork::Select,
            (_, Some(0xB0 | 0xC0)) => CardWork::Read,
            (_, Some(0x20)) if has_data => CardWork::VerifyTry,
            (_, Some(0x20)) => CardWork::VerifyQuery,
            (Some(0x80), Some(0x2A)) | (_, Some(0x88)) => CardWork::PrivateKey,
            _ => CardWork::Other,
        }
    }
}

/// The card's processing time per kind of command, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CardTimes {
    /// SELECT.
    pub select_ms: f64,
    /// READ BINARY / GET RESPONSE.
    pub read_ms: f64,
    /// VERIFY with a value.
    pub verify_try_ms: f64,
    /// VERIFY without data.
    pub verify_query_ms: f64,
    /// RSA-2048 private-key operation.
    pub private_key_ms: f64,
    /// Other commands.
    pub other_ms: f64,
}

impl CardTimes {
    /// The processing time of `work`.
    pub fn of(&self, work: CardWork) -> f64 {
        match work {
            CardWork::Select => self.select_ms,
            CardWork::Read => self.read_ms,
            CardWork::VerifyTry => self.verify_try_ms,
            CardWork::VerifyQuery => self.verify_query_ms,
            CardWork::PrivateKey => self.private_key_ms,
            CardWork::RefusedPrivateKey | CardWork::Other => self.other_ms,
        }
    }
}

/// The parameters of the model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LinkParams {
    /// The card's largest frame (FSC, bytes, PCB and CRC_B included).
    pub fsc: usize,
    /// The phone's largest frame (FSD, bytes).
    pub fsd: usize,
    /// The card's frame waiting time integer (FWT = (256 × 16 / fc) × 2^FWI).
    pub fwi: u8,
    /// The phone's time per transceive outside the RF link (ms).
    pub phone_latency_ms: f64,
    /// The card's processing times.
    pub card: CardTimes,
}

/// The nominal parameters.
///
/// - `fsc`, `fsd`: **assumption** 256 bytes, the largest frame size of the ISO/IEC
///   14443-3 FSCI/FSDI table before its 2016 extension (16…256); the card's ATQB
///   announces its FSC, which no public source for the My Number Card reports. A short
///   APDU of 261 bytes still needs two frames.
/// - `fwi`: **assumption** 8 (FWT ≈ 77.3 ms, the value in the middle of the range cards
///   commonly announce); only the number of S(WTX) exchanges during a signature depends
///   on it.
/// - `phone_latency_ms`: **assumption** 5 ms per transceive (range 2–15 ms): Android's
///   `IsoDep.transceive` crosses from the app to the NFC service (binder) and from there
///   to the NFC controller over NCI (I²C or SPI) and back; iOS's `sendCommand` crosses to
///   `nfcd` likewise. No public measurement of this latency for the phones MynaKit
///   targets was found; a phone trace with `clock: wall` calibrates it
///   (`mynakit bench --compare-trace`).
/// - card processing: **assumptions**, no public measurement for the My Number Card:
///   SELECT 2 ms and READ BINARY 3 ms (a non-volatile memory read of ≤ 256 bytes), VERIFY
///   with a value 20 ms (the retry counter is written to non-volatile memory, typically a
///   few ms per page write, before and after the comparison), VERIFY without data 2 ms,
///   other commands 2 ms.
/// - RSA-2048 private-key operation: **assumption** 500 ms, range 150–1500 ms. Public
///   figures for smart-card crypto coprocessors are 50–200 ms and 100–300 ms for an
///   RSA-2048 signature (smartcardfyi.com glossary "RSA" and "RSA vs ECC on smart
///   cards"; not My Number Card measurements), and peers that ran on real My Number
///   Cards raise Android's transceive timeout to 5000 ms only around the signature
///   because the default (≈ 300 ms, card-protocol §12) is too short (§7 "Timing": c3lab,
///   jsapdu), which puts the card's signature above 300 ms at least on some cards or
///   phones. 500 ms is a round figure above that bound.
pub const NOMINAL: LinkParams = LinkParams {
    fsc: 256,
    fsd: 256,
    fwi: 8,
    phone_latency_ms: 5.0,
    card: CardTimes {
        select_ms: 2.0,
        read_ms: 3.0,
        verify_try_ms: 20.0,
        verify_query_ms: 2.0,
        private_key_ms: 500.0,
        other_ms: 2.0,
    },
};

/// The range stated for the RSA-2048 private-key operation (ms): low, high (see
/// [`NOMINAL`]).
pub const PRIVATE_KEY_RANGE_MS: (f64, f64) = (150.0, 1500.0);

/// One APDU as the model needs it: the command's header, whether it carried data, and
/// the lengths on the wire. No data bytes are kept (a VERIFY's value never enters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ApduShape {
    /// What the card does.
    pub work: CardWork,
    /// Command APDU length in bytes (secret bytes of a redacted command included).
    pub command_len: usize,
    /// Response APDU length in bytes (data + status word).
    pub response_len: usize,
}

impl ApduShape {
    /// The shape of `command` (with `secret_len` bytes removed from it, as in a redacted
    /// trace) and its `response` (data and status word; empty after a link failure).
    pub fn new(command: &[u8], secret_len: usize, response: &[u8]) -> ApduShape {
        let response_len = response.len();
        let command_len = command.len().saturating_add(secret_len);
        // A data field exists when the body is longer than a lone Le byte (short) or
        // than the three-byte extended Le.
        let has_data = secret_len > 0
            || match command.get(4) {
                None => false,
                Some(0) => command_len > 7,
                Some(_) => command_len > 5,
            };
        let sw1 = response.len().checked_sub(2).and_then(|i| response.get(i));
        let sw2 = response.last();
        let completed = matches!((sw1, sw2), (Some(0x90), Some(0x00)) | (Some(0x61), Some(_)));
        let work = match CardWork::of(command, has_data) {
            CardWork::PrivateKey if !completed => CardWork::RefusedPrivateKey,
            w => w,
        };
        ApduShape {
            work,
            command_len,
            response_len,
        }
    }
}

/// Where the time of one exchange or session goes (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Time {
    /// On the RF link: frames, guard and delay times, WTX exchanges.
    pub air_ms: f64,
    /// In the card.
    pub card_ms: f64,
    /// In the phone, outside the RF link.
    pub phone_ms: f64,
}

impl Time {
    /// The sum.
    pub fn total_ms(&self) -> f64 {
        self.air_ms + self.card_ms + self.phone_ms
    }

    fn add(&mut self, other: Time) {
        self.air_ms += other.air_ms;
        self.card_ms += other.card_ms;
        self.phone_ms += other.phone_ms;
    }
}

fn us_of_fc(cycles: f64) -> f64 {
    cycles / FC_HZ * 1e6
}

/// A phone→card frame of `bytes` bytes (block overhead included), in µs.
pub fn pcd_frame_us(rate: BitRate, bytes: usize) -> f64 {
    let chars = bytes as f64;
    let gaps = chars.max(1.0) - 1.0;
    (SOF_ETU + ETU_PER_BYTE * chars + EGT_ETU * gaps + EOF_ETU) * rate.etu_us()
}

/// A card→phone frame of `bytes` bytes, TR1 included, in µs.
pub fn picc_frame_us(rate: BitRate, bytes: usize) -> f64 {
    us_of_fc(TR1_FC) + pcd_frame_us(rate, bytes)
}

/// The frame waiting time of `fwi` in ms: (256 × 16 / fc) × 2^FWI.
pub fn fwt_ms(fwi: u8) -> f64 {
    let fwi = i32::from(fwi.min(14));
    256.0 * 16.0 / FC_HZ * 2f64.powi(fwi) * 1e3
}

/// INF sizes of the blocks carrying `len` bytes with frames of at most `frame` bytes.
fn blocks(len: usize, frame: usize) -> Vec<usize> {
    let per = frame.saturating_sub(BLOCK_OVERHEAD).max(1);
    if len == 0 {
        return vec![0];
    }
    let mut out = Vec::with_capacity(len.div_ceil(per));
    let mut left = len;
    while left > 0 {
        let n = left.min(per);
        out.push(n);
        left -= n;
    }
    out
}

/// The time of one APDU exchange.
pub fn exchange_time(p: &LinkParams, rate: BitRate, apdu: &ApduShape) -> Time {
    let tr0 = us_of_fc(TR0_FC);
    let tr2 = TR2_ETU * rate.etu_us();
    let mut air_us = 0.0;
    // Command: chained I-blocks, each but the last acknowledged by the card.
    let cmd = blocks(apdu.command_len, p.fsc);
    for (i, inf) in cmd.iter().enumerate() {
        air_us += pcd_frame_us(rate, inf + BLOCK_OVERHEAD);
        if i + 1 < cmd.len() {
            air_us += tr0 + picc_frame_us(rate, R_BLOCK_BYTES) + tr2;
        }
    }
    // The card's processing, after its guard time; S(WTX) rounds while it exceeds FWT.
    let card_ms = p.card.of(apdu.work);
    air_us += tr0;
    let fwt = fwt_ms(p.fwi);
    if fwt > 0.0 && card_ms > fwt {
        let rounds = (card_ms / fwt).ceil() - 1.0;
        air_us += rounds
            * (picc_frame_us(rate, S_WTX_BYTES) + tr2 + pcd_frame_us(rate, S_WTX_BYTES) + tr0);
    }
    // Response: chained I-blocks, each but the last acknowledged by the phone.
    let rsp = blocks(apdu.response_len, p.fsd);
    for (i, inf) in rsp.iter().enumerate() {
        air_us += picc_frame_us(rate, inf + BLOCK_OVERHEAD);
        if i + 1 < rsp.len() {
            air_us += tr2 + pcd_frame_us(rate, R_BLOCK_BYTES) + tr0;
        }
    }
    Time {
        air_ms: air_us / 1e3,
        card_ms,
        phone_ms: p.phone_latency_ms,
    }
}

/// The card's activation at 106 kbit/s (REQB, ATQB, ATTRIB, its answer) and one phone
/// latency for connecting.
pub fn activation_time(p: &LinkParams) -> Time {
    let r = BitRate::K106;
    let tr0 = us_of_fc(TR0_FC);
    let tr2 = TR2_ETU * r.etu_us();
    let air_us = pcd_frame_us(r, REQB_BYTES)
        + tr0
        + picc_frame_us(r, ATQB_BYTES)
        + tr2
        + pcd_frame_us(r, ATTRIB_BYTES)
        + tr0
        + picc_frame_us(r, ATTRIB_ANSWER_BYTES)
        + tr2;
    Time {
        air_ms: air_us / 1e3,
        card_ms: 0.0,
        phone_ms: p.phone_latency_ms,
    }
}

/// The modelled time of a whole session: activation and every exchange.
pub fn session_time(p: &LinkParams, rate: BitRate, apdus: &[ApduShape]) -> Time {
    let mut t = activation_time(p);
    for a in apdus {
        t.add(exchange_time(p, rate, a));
    }
    t
}

/// The number of RSA private-key operations among `apdus`.
pub fn private_key_ops(apdus: &[ApduShape]) -> usize {
    apdus
        .iter()
        .filter(|a| a.work == CardWork::PrivateKey)
        .count()
}

/// One exchange of a recorded trace next to the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparedExchange {
    /// Exchange index.
    pub index: usize,
    /// The trace's annotation (or the command's header in hex).
    pub what: String,
    /// The APDU's shape.
    pub shape: ApduShape,
    /// The recorded elapsed time (ms), `None` for a link failure.
    pub recorded_ms: Option<u64>,
    /// Modelled at 106, 212, 424 kbit/s (ms).
    pub modelled_ms: [f64; 3],
}

/// A recorded trace next to the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The exchanges.
    pub exchanges: Vec<ComparedExchange>,
    /// The sum of the recorded times of exchanges that got a response (ms).
    pub recorded_total_ms: u64,
    /// The sum of the modelled times of the same exchanges, per rate (ms, no activation).
    pub modelled_total_ms: [f64; 3],
}

/// Why a trace cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareError {
    /// The trace was recorded with a fixed clock (golden traces) or carries only zeros.
    NoTiming {
        /// The header's clock.
        clock: String,
    },
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::NoTiming { clock } => write!(
                f,
                "the trace carries no timing (clock: {clock}, every elapsed time 0): record it on a phone with a wall clock to compare"
            ),
        }
    }
}

/// Compares the elapsed times a trace recorded with the model's.
pub fn compare(p: &LinkParams, trace: &Trace) -> Result<Comparison, CompareError> {
    let timed = trace.exchanges.iter().any(|x| x.elapsed_ms > 0);
    if trace.header.clock == "fixed" || !timed {
        return Err(CompareError::NoTiming {
            clock: trace.header.clock.clone(),
        });
    }
    let mut exchanges = Vec::with_capacity(trace.exchanges.len());
    let mut recorded_total_ms: u64 = 0;
    let mut modelled_total_ms = [0.0; 3];
    for (index, x) in trace.exchanges.iter().enumerate() {
        let secret = x.redacted.map_or(0, |r| r.len);
        let response = x.response.as_deref().unwrap_or_default();
        let shape = ApduShape::new(&x.command, secret, response);
        let mut modelled_ms = [0.0; 3];
        for (m, rate) in modelled_ms.iter_mut().zip(BitRate::ALL) {
            *m = exchange_time(p, rate, &shape).total_ms();
        }
        let recorded_ms = x.response.as_ref().ok().map(|_| x.elapsed_ms);
        if let Some(ms) = recorded_ms {
            recorded_total_ms = recorded_total_ms.saturating_add(ms);
            for (t, m) in modelled_total_ms.iter_mut().zip(modelled_ms) {
                *t += m;
            }
        }
        let what = x
            .note
            .clone()
            .unwrap_or_else(|| hex::encode_upper(x.command.get(..4).unwrap_or_default()));
        exchanges.push(ComparedExchange {
            index,
            what,
            shape,
            recorded_ms,
            modelled_ms,
        });
    }
    Ok(Comparison {
        exchanges,
        recorded_total_ms,
        modelled_total_ms,
    })
}

/// The comparison as text.
pub fn comparison_text(c: &Comparison) -> String {
    let mut o =
        String::from("  #  cmd B  rsp B  recorded ms  model 106  model 212  model 424  command\n");
    for x in &c.exchanges {
        let rec = x
            .recorded_ms
            .map_or_else(|| "link error".to_string(), |ms| ms.to_string());
        let [a, b, d] = x.modelled_ms;
        o.push_str(&format!(
            "{:>3}  {:>5}  {:>5}  {:>11}  {:>9.1}  {:>9.1}  {:>9.1}  {}\n",
            x.index, x.shape.command_len, x.shape.response_len, rec, a, b, d, x.what
        ));
    }
    let [a, b, d] = c.modelled_total_ms;
    o.push_str(&format!(
        "total (exchanges with a response, no activation): recorded {} ms; modelled {a:.1} / {b:.1} / {d:.1} ms at 106 / 212 / 424 kbit/s\n",
        c.recorded_total_ms
    ));
    o
}

/// The model's parameters as a Markdown list (for docs/benchmarks.md).
pub fn parameters_markdown(p: &LinkParams) -> String {
    let c = &p.card;
    let (lo, hi) = PRIVATE_KEY_RANGE_MS;
    let mut o = String::new();
    o.push_str(&format!(
        "- Link (ISO/IEC 14443-2/-3/-4 Type B): etu = 128/fc, 64/fc, 32/fc at 106, 212, 424 kbit/s (fc = 13.56 MHz); \
         10 etu per byte, EGT {EGT_ETU} etu; SOF {SOF_ETU} etu, EOF {EOF_ETU} etu; TR0 {TR0_FC}/fc, TR1 {TR1_FC}/fc, \
         TR2 {TR2_ETU} etu; blocks of PCB + INF + CRC_B ({BLOCK_OVERHEAD} bytes around INF); \
         R(ACK) {R_BLOCK_BYTES} bytes per chained block; S(WTX) {S_WTX_BYTES} bytes each way per FWT the card exceeds.\n"
    ));
    o.push_str(&format!(
        "- Frame sizes (assumption): FSC = FSD = {} bytes; FWI = {} (FWT = {:.1} ms, assumption).\n",
        p.fsc,
        p.fwi,
        fwt_ms(p.fwi)
    ));
    o.push_str(&format!(
        "- Phone (assumption): {} ms per transceive outside the RF link (range 2–15 ms).\n",
        p.phone_latency_ms
    ));
    o.push_str(&format!(
        "- Card (assumptions): SELECT {} ms, READ BINARY {} ms, VERIFY with a value {} ms, VERIFY without data {} ms, other {} ms; \
         RSA-2048 private-key operation {} ms (range {lo}–{hi} ms).\n",
        c.select_ms, c.read_ms, c.verify_try_ms, c.verify_query_ms, c.other_ms, c.private_key_ms
    ));
    o.push_str(&format!(
        "- Session: activation at 106 kbit/s (REQB {REQB_BYTES}, ATQB {ATQB_BYTES}, ATTRIB {ATTRIB_BYTES}, answer {ATTRIB_ANSWER_BYTES} bytes) + one phone latency = {:.1} ms.\n",
        activation_time(p).total_ms()
    ));
    o
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    /// A response of `n` data bytes and `9000`.
    fn ok(n: usize) -> Vec<u8> {
        let mut r = vec![0x30; n];
        r.extend([0x90, 0x00]);
        r
    }

    /// Hand-computed: at 106 kbit/s one etu is 128 / 13 560 000 s = 9.439528 µs, so a
    /// byte (10 etu) takes 94.39528 µs, i.e. 8 bits of payload at 84.75 kbit/s; at 212
    /// and 424 kbit/s half and a quarter of that.
    #[test]
    fn etu_and_byte_times() {
        assert!(close(BitRate::K106.etu_us(), 9.439_528_023_6));
        assert!(close(BitRate::K212.etu_us(), 4.719_764_011_8));
        assert!(close(BitRate::K424.etu_us(), 2.359_882_005_9));
        // A 256-byte frame at 106 kbit/s: SOF 12 + 256 × 10 + EOF 10 = 2 582 etu
        // = 2 582 × 9.4395280236 µs = 24 372.8614 µs.
        let frame = pcd_frame_us(BitRate::K106, 256);
        assert!((frame - 24_372.861_357).abs() < 1e-5, "{frame}");
    }

    /// FWT = (256 × 16 / fc) × 2^FWI: FWI 0 → 302.06 µs, FWI 4 → 4.833 ms, FWI 8 →
    /// 77.328 ms (the AT88RF1354 guide's table: 302.1 µs, 4 833.0 µs, 77 328.6 µs).
    #[test]
    fn frame_waiting_time() {
        assert!((fwt_ms(0) - 0.302_064_9).abs() < 1e-6);
        assert!((fwt_ms(4) - 4.833_038).abs() < 1e-5);
        assert!((fwt_ms(8) - 77.328_61).abs() < 1e-4);
    }

    /// SELECT of the JPKI AP, `00 A4 04 0C 0A D392F000260100000001` (15 bytes), answer
    /// `9000`, at 106 kbit/s, by hand:
    /// - phone frame: 15 + 3 = 18 bytes → 12 + 180 + 10 = 202 etu = 1 906.7847 µs
    /// - TR0: 1024 / 13.56 MHz = 75.5162 µs
    /// - card frame: TR1 1280 / 13.56 MHz = 94.3953 µs + (12 + 50 + 10) etu = 679.6460 µs
    /// - air = 2 756.3422 µs; card 2 ms; phone 5 ms → 9.7563 ms.
    #[test]
    fn one_short_exchange_by_hand() {
        let apdu = ApduShape::new(
            &hex::decode("00A4040C0AD392F000260100000001").unwrap(),
            0,
            &[0x90, 0x00],
        );
        assert_eq!(apdu.work, CardWork::Select);
        let t = exchange_time(&NOMINAL, BitRate::K106, &apdu);
        assert!((t.air_ms - 2.756_342_2).abs() < 1e-6, "{}", t.air_ms);
        assert!(
            (t.total_ms() - 9.756_342_2).abs() < 1e-6,
            "{}",
            t.total_ms()
        );
        // At 424 kbit/s the etu-counted parts take a quarter; TR0 and TR1 stay:
        // (202 + 72) × 2.3598820 + 75.5162 + 94.3953 = 816.5192 µs.
        let t = exchange_time(&NOMINAL, BitRate::K424, &apdu);
        assert!((t.air_ms - 0.816_519_2).abs() < 1e-6, "{}", t.air_ms);
    }

    /// READ BINARY `00 B0 01 00 00` answered with 256 bytes + `9000` = 258 bytes, at 106
    /// kbit/s: the response does not fit one 256-byte frame (253 INF bytes + 3), so the
    /// card sends 253 bytes with the chaining bit, the phone acknowledges, then 5 bytes:
    /// - command frame: 5 + 3 = 8 bytes → 12 + 80 + 10 = 102 etu
    /// - first response frame: 256 bytes → 2 582 etu; R(ACK): TR2 14 etu + 3-byte frame
    ///   52 etu; second frame: 8 bytes → 102 etu
    /// - etu: 102 + 2 582 + 14 + 52 + 102 = 2 852 etu × 9.4395280 µs = 26 921.5442 µs
    /// - plus TR0 twice (after the command, after the R(ACK)) = 151.0324 µs and TR1
    ///   twice (before each card frame) = 188.7906 µs → 27 261.3569 µs.
    #[test]
    fn a_chained_response_by_hand() {
        let apdu = ApduShape::new(&[0x00, 0xB0, 0x01, 0x00, 0x00], 0, &ok(256));
        assert_eq!(apdu.work, CardWork::Read);
        let t = exchange_time(&NOMINAL, BitRate::K106, &apdu);
        assert!((t.air_ms - 27.261_356_9).abs() < 1e-6, "{}", t.air_ms);
        assert!(close(t.card_ms, 3.0));
    }

    /// A signature: `80 2A 00 97 33 <51 bytes> 00` (57 bytes) answered with 256 + 2
    /// bytes; the card's 500 ms exceed FWT (77.33 ms) six times, so ceil(500/77.33) − 1
    /// = 6 S(WTX) rounds. At 106 kbit/s:
    /// - command frame: 60 bytes → 622 etu; TR0
    /// - 6 × (card S(WTX) TR1 + 62 etu, TR2 14 etu, phone S(WTX) 62 etu, TR0)
    /// - response as in the READ BINARY case: 2 582 + 14 + 52 + 102 etu, TR0, 2 × TR1
    /// - etu: 622 + 6 × 138 + 2 750 = 4 200 etu = 39 646.0177 µs; TR0 × 8 = 604.1298 µs;
    ///   TR1 × 8 = 755.1622 µs → 41 005.3097 µs of air, 500 ms card, 5 ms phone.
    #[test]
    fn a_signature_with_waiting_time_extensions_by_hand() {
        let mut cmd = vec![0x80, 0x2A, 0x00, 0x97, 0x33];
        cmd.extend([0u8; 51]);
        cmd.push(0x00);
        let apdu = ApduShape::new(&cmd, 0, &ok(256));
        assert_eq!(apdu.work, CardWork::PrivateKey);
        // Refused (the key in P2 on a card without that form): nothing computed.
        let refused = ApduShape::new(&cmd, 0, &[0x6A, 0x86]);
        assert_eq!(refused.work, CardWork::RefusedPrivateKey);
        let t = exchange_time(&NOMINAL, BitRate::K106, &refused);
        assert!(close(t.card_ms, 2.0));
        assert_eq!(private_key_ops(&[apdu, refused]), 1);
        let t = exchange_time(&NOMINAL, BitRate::K106, &apdu);
        assert!((t.air_ms - 41.005_309_7).abs() < 1e-6, "{}", t.air_ms);
        assert!((t.total_ms() - 546.005_309_7).abs() < 1e-6);
    }

    /// A command above FSC: an extended UPDATE BINARY of 300 bytes at 106 kbit/s is sent
    /// in two blocks (253 + 47 INF bytes) with the card's R(ACK) between:
    /// - first block 256 bytes = 2 582 etu; TR0; card R(ACK) TR1 + 52 etu; TR2 14 etu
    /// - second block 50 bytes = 12 + 500 + 10 = 522 etu; TR0; answer `9000` TR1 + 72 etu
    /// - etu: 2 582 + 52 + 14 + 522 + 72 = 3 242 etu = 30 602.9499 µs; TR0 × 2 =
    ///   151.0324 µs; TR1 × 2 = 188.7906 µs → 30 942.7729 µs.
    #[test]
    fn a_chained_command_by_hand() {
        let mut cmd = vec![0x00, 0xD6, 0x00, 0x00, 0x00, 0x01, 0x27];
        cmd.extend([0u8; 293]);
        assert_eq!(cmd.len(), 300);
        let apdu = ApduShape::new(&cmd, 0, &[0x90, 0x00]);
        assert_eq!(apdu.work, CardWork::Other);
        let t = exchange_time(&NOMINAL, BitRate::K106, &apdu);
        assert!((t.air_ms - 30.942_772_9).abs() < 1e-6, "{}", t.air_ms);
    }

    /// Activation at 106 kbit/s: REQB 5 bytes (72 etu), TR0, ATQB 14 bytes (TR1 + 162
    /// etu), TR2 14 etu, ATTRIB 11 bytes (132 etu), TR0, answer 3 bytes (TR1 + 52 etu),
    /// TR2 14 etu: 446 etu = 4 210.0295 µs + 2 TR0 151.0324 + 2 TR1 188.7906 =
    /// 4 549.8525 µs, plus 5 ms of phone.
    #[test]
    fn activation_by_hand() {
        let t = activation_time(&NOMINAL);
        assert!((t.air_ms - 4.549_852_5).abs() < 1e-6, "{}", t.air_ms);
        assert!((t.total_ms() - 9.549_852_5).abs() < 1e-6);
    }

    #[test]
    fn verify_kinds_and_redacted_commands() {
        // The counter query: no data.
        assert_eq!(
            ApduShape::new(&[0x00, 0x20, 0x00, 0x98], 0, &[0x63, 0xC3]).work,
            CardWork::VerifyQuery
        );
        // A redacted VERIFY: the header and Lc stay, 4 secret bytes were removed.
        let s = ApduShape::new(&[0x00, 0x20, 0x00, 0x98, 0x04], 4, &[0x90, 0x00]);
        assert_eq!(s.work, CardWork::VerifyTry);
        assert_eq!(s.command_len, 9);
        // INTERNAL AUTHENTICATE is a private-key operation too.
        assert_eq!(
            ApduShape::new(&[0x00, 0x88, 0x00, 0x80, 0x01, 0x42, 0x00], 0, &ok(256)).work,
            CardWork::PrivateKey
        );
        // A READ BINARY with an extended Le carries no data.
        assert_eq!(
            ApduShape::new(&[0x00, 0xB0, 0x8A, 0x00, 0x00, 0x00, 0x00], 0, &ok(7)).work,
            CardWork::Read
        );
    }

    fn trace(clock: &str, ms: [u64; 3]) -> Trace {
        use mynakit::Capabilities;
        use mynakit_testkit::trace::{
            Exchange, OperationSpec, RecordedError, RecordedErrorKind, Redacted, RedactionInfo,
            TraceHeader,
        };
        let mut header = TraceHeader::new(
            OperationSpec {
                name: "session".into(),
                params: serde_json::Map::new(),
            },
            Capabilities::SHORT,
        );
        header.clock = clock.into();
        header.redacted = vec![RedactionInfo {
            exchange: 1,
            len: 4,
        }];
        let x = |command: Vec<u8>, response, elapsed_ms, redacted| Exchange {
            command,
            redacted,
            response,
            scrubbed: vec![],
            elapsed_ms,
            note: None,
        };
        Trace {
            header,
            exchanges: vec![
                x(
                    hex::decode("00A4040C0AD392F000260100000001").unwrap(),
                    Ok(vec![0x90, 0x00]),
                    ms[0],
                    None,
                ),
                x(
                    vec![0x00, 0x20, 0x00, 0x98, 0x04],
                    Ok(vec![0x90, 0x00]),
                    ms[1],
                    Some(Redacted { offset: 5, len: 4 }),
                ),
                x(
                    vec![0x00, 0xB0, 0x8A, 0x00, 0x00],
                    Err(RecordedError {
                        kind: RecordedErrorKind::CardRemoved,
                        message: "tag lost".into(),
                    }),
                    ms[2],
                    None,
                ),
            ],
        }
    }

    /// A phone trace (synthetic, clock `wall`): SELECT 12 ms, a redacted VERIFY 30 ms, a
    /// READ lost with the card. Modelled at 106 kbit/s, by hand:
    /// - SELECT: 9.7563422 ms (as in `one_short_exchange_by_hand`)
    /// - VERIFY `00 20 00 98 04` + 4 secret bytes = 9 bytes: frame 12 bytes = 142 etu;
    ///   TR0; card 20 ms; `9000` TR1 + 72 etu → (142 + 72) × 9.4395280 + 75.5162 +
    ///   94.3953 = 2 189.9705 µs, + 20 + 5 ms = 27.1899705 ms
    /// - total of the two with a response: 36.9463127 ms against 42 recorded.
    #[test]
    fn a_recorded_trace_next_to_the_model() {
        let c = compare(&NOMINAL, &trace("wall", [12, 30, 7])).unwrap();
        assert_eq!(c.recorded_total_ms, 42);
        assert!((c.modelled_total_ms[0] - 36.946_312_7).abs() < 1e-6);
        assert!((c.exchanges[1].modelled_ms[0] - 27.189_970_5).abs() < 1e-6);
        assert_eq!(c.exchanges[1].shape.work, CardWork::VerifyTry);
        assert_eq!(c.exchanges[1].shape.command_len, 9);
        assert_eq!(c.exchanges[2].recorded_ms, None);
        let text = comparison_text(&c);
        assert!(text.contains("link error"), "{text}");
        assert!(text.contains("recorded 42 ms"), "{text}");
        // A golden trace (fixed clock) or a trace of zeros has nothing to compare.
        assert!(matches!(
            compare(&NOMINAL, &trace("fixed", [0, 0, 0])),
            Err(CompareError::NoTiming { .. })
        ));
        assert!(compare(&NOMINAL, &trace("wall", [0, 0, 0])).is_err());
    }

    #[test]
    fn faster_rates_are_faster_and_the_card_time_does_not_change() {
        let apdu = ApduShape::new(&[0x00, 0xB0, 0x00, 0x00, 0x00], 0, &ok(256));
        let t: Vec<Time> = BitRate::ALL
            .iter()
            .map(|&r| exchange_time(&NOMINAL, r, &apdu))
            .collect();
        assert!(t[0].air_ms > t[1].air_ms && t[1].air_ms > t[2].air_ms);
        assert!(
            t.iter()
                .all(|x| close(x.card_ms, 3.0) && close(x.phone_ms, 5.0))
        );
    }
}
