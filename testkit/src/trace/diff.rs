//! Comparing two traces: header fields and exchanges, decoded.

use serde_json::Value;

use super::decode::{Tracker, describe_response};
use super::format::{Exchange, Trace, line_of_exchange};

/// What to compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Also compare elapsed times and the clock kind (off by default: two recordings of
    /// the same session never take the same milliseconds).
    pub timing: bool,
}

/// One difference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Where: `header.operation.params.message_hex`, `exchange 3 (line 5) command`, …
    pub location: String,
    /// What the first trace has.
    pub a: String,
    /// What the second trace has.
    pub b: String,
}

fn header_diffs(path: &str, a: &Value, b: &Value, out: &mut Vec<Difference>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}.{k}");
                let absent = Value::String("(absent)".into());
                header_diffs(
                    &p,
                    x.get(k).unwrap_or(&absent),
                    y.get(k).unwrap_or(&absent),
                    out,
                );
            }
        }
        _ if a == b => {}
        _ => out.push(Difference {
            location: path.to_string(),
            a: a.to_string(),
            b: b.to_string(),
        }),
    }
}

fn command_text(t: &Tracker, x: &Exchange) -> String {
    let secret = x.redacted.map(|r| r.len);
    let hex_text = match x.redacted {
        Some(r) => format!(
            "{}<{} secret bytes>{}",
            hex::encode_upper(x.command.get(..r.offset).unwrap_or_default()),
            r.len,
            hex::encode_upper(x.command.get(r.offset..).unwrap_or_default())
        ),
        None => hex::encode_upper(&x.command),
    };
    format!("{} [{hex_text}]", t.describe(&x.command, secret))
}

fn response_text(x: &Exchange, other: &Exchange) -> String {
    let mut s = describe_response(&x.response);
    if let (Ok(a), Ok(b)) = (&x.response, &other.response)
        && a.len() == b.len()
        && a.len() > 2
        && let Some(pos) = a.iter().zip(b).position(|(p, q)| p != q)
    {
        s.push_str(&format!(
            "; first difference at byte {pos}: {:02X}",
            a.get(pos).copied().unwrap_or(0)
        ));
    }
    if !x.scrubbed.is_empty() {
        s.push_str(&format!("; {} scrubbed ranges", x.scrubbed.len()));
    }
    s
}

/// Every difference between `a` and `b`, header first, then exchange by exchange.
pub fn diff(a: &Trace, b: &Trace, options: DiffOptions) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut ha = serde_json::to_value(&a.header).unwrap_or(Value::Null);
    let mut hb = serde_json::to_value(&b.header).unwrap_or(Value::Null);
    if !options.timing {
        for h in [&mut ha, &mut hb] {
            if let Some(o) = h.as_object_mut() {
                o.remove("clock");
            }
        }
    }
    header_diffs("header", &ha, &hb, &mut out);

    let mut ta = Tracker::new();
    let mut tb = Tracker::new();
    let n = a.exchanges.len().max(b.exchanges.len());
    for i in 0..n {
        let where_ = format!("exchange {i} (line {})", line_of_exchange(i));
        match (a.exchanges.get(i), b.exchanges.get(i)) {
            (Some(x), Some(y)) => {
                if x.command != y.command || x.redacted != y.redacted {
                    out.push(Difference {
                        location: format!("{where_} command"),
                        a: command_text(&ta, x),
                        b: command_text(&tb, y),
                    });
                }
                if x.response != y.response || x.scrubbed != y.scrubbed {
                    out.push(Difference {
                        location: format!("{where_} response to {}", command_text(&ta, x)),
                        a: response_text(x, y),
                        b: response_text(y, x),
                    });
                }
                if options.timing && x.elapsed_ms != y.elapsed_ms {
                    out.push(Difference {
                        location: format!("{where_} elapsed"),
                        a: format!("{} ms", x.elapsed_ms),
                        b: format!("{} ms", y.elapsed_ms),
                    });
                }
            }
            (Some(x), None) => out.push(Difference {
                location: where_,
                a: command_text(&ta, x),
                b: "(no such exchange)".into(),
            }),
            (None, Some(y)) => out.push(Difference {
                location: where_,
                a: "(no such exchange)".into(),
                b: command_text(&tb, y),
            }),
            (None, None) => {}
        }
        for (t, x) in [(&mut ta, a.exchanges.get(i)), (&mut tb, b.exchanges.get(i))] {
            if let Some(x) = x {
                t.step(
                    &x.command,
                    x.redacted.map(|r| r.len),
                    x.response.as_ref().ok().map(Vec::as_slice),
                );
            }
        }
    }
    out
}
