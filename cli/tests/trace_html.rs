//! `mynakit trace html`: every golden trace renders to a safe, self-contained page; hostile
//! trace fields stay text; a scrubbed trace's page holds none of the personal data the
//! unscrubbed one shows; `--diff` and timing. Each test runs the built binary.
//!
//! Expected values come from the trace files, the golden results (`*.expected.json`) and
//! the virtual card's profiles (`test-vectors/cards/*/profile.json`), never from the
//! renderer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn traces_dir() -> PathBuf {
    root().join("test-vectors/traces")
}

/// A fresh folder for this test's files.
fn work(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mynakit-html-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mynakit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mynakit"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run mynakit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `mynakit trace html TRACE [--diff OTHER] -o OUT`, returning the page.
fn render(trace: &Path, other: Option<&Path>, out: &Path) -> String {
    let mut args = vec!["trace", "html", trace.to_str().unwrap()];
    if let Some(o) = other {
        args.extend(["--diff", o.to_str().unwrap()]);
    }
    args.extend(["-o", out.to_str().unwrap()]);
    let (code, stdout, stderr) = mynakit(&args);
    assert_eq!(code, 0, "{}: {stdout}{stderr}", trace.display());
    assert!(stdout.contains("trace report written to"), "{stdout}");
    std::fs::read_to_string(out).unwrap()
}

/// The same text as the page shows it: `& < > " '` escaped.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Elements the page may use: none loads anything or runs anything.
const ALLOWED_TAGS: &[&str] = &[
    "!doctype", "html", "head", "meta", "title", "style", "body", "header", "section", "footer",
    "h1", "h2", "h3", "p", "b", "br", "code", "pre", "span", "table", "tr", "th", "td", "a", "ul",
    "li", "details", "summary", "meter",
];

/// Attributes the page may use.
const ALLOWED_ATTRS: &[&str] = &[
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "id",
    "class",
    "href",
    "colspan",
    "min",
    "max",
    "value",
];

/// Checks every tag of a page: known elements and attributes only, in-page links only,
/// nothing that loads or runs. Returns the page's text with the tags removed.
fn check_markup(page: &str, what: &str) -> String {
    let mut text = String::new();
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('>')
            .unwrap_or_else(|| panic!("{what}: unclosed tag"));
        let tag = &after[..end];
        rest = &after[end + 1..];
        let body = tag.strip_prefix('/').unwrap_or(tag);
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(
            ALLOWED_TAGS.contains(&name.as_str()),
            "{what}: element <{tag}> is not allowed"
        );
        if name == "style" && !tag.starts_with('/') {
            // The style sheet ends at the first `</style` and holds no fetch.
            let close = rest.find("</style>").expect("style closes");
            let css = &rest[..close];
            for bad in ["url(", "@import", "<", "expression("] {
                assert!(!css.contains(bad), "{what}: the style sheet has {bad}");
            }
            rest = &rest[close..];
            continue;
        }
        if name == "!doctype" {
            continue;
        }
        // Attributes: name="value" pairs; values hold no quote (escaped).
        let mut attrs = &body[name.len()..];
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                break;
            }
            let eq = attrs
                .find('=')
                .unwrap_or_else(|| panic!("{what}: attribute without value in <{tag}>"));
            let attr = attrs[..eq].trim().to_ascii_lowercase();
            assert!(
                ALLOWED_ATTRS.contains(&attr.as_str()),
                "{what}: attribute {attr} in <{tag}>"
            );
            let v = &attrs[eq + 1..];
            assert!(v.starts_with('"'), "{what}: unquoted attribute in <{tag}>");
            let close = v[1..].find('"').expect("attribute closes");
            let value = &v[1..=close];
            if attr == "href" {
                assert!(
                    value.starts_with('#'),
                    "{what}: link {value} leaves the page"
                );
            }
            attrs = &v[close + 2..];
        }
    }
    text.push_str(rest);
    text
}

/// The checks every page must pass, whatever its trace. `no_url_text`: the page does not
/// even mention a URL or `src=` as text (true of every page of a golden trace).
fn check_page_with(page: &str, what: &str, no_url_text: bool) -> String {
    assert!(page.starts_with("<!DOCTYPE html>"), "{what}");
    assert!(page.ends_with("</html>\n"), "{what}");
    // One Content-Security-Policy, in the head, forbidding every fetch and any script.
    let head = &page[..page.find("</head>").expect("head")];
    let csp_start = head
        .find("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .unwrap_or_else(|| panic!("{what}: no CSP meta"));
    let csp = &head[csp_start..];
    let csp = &csp[csp.find("content=\"").unwrap() + 9..];
    let csp = &csp[..csp.find('"').unwrap()];
    assert!(csp.starts_with("default-src 'none';"), "{what}: {csp}");
    assert!(!csp.contains("unsafe"), "{what}: {csp}");
    assert!(!csp.contains("script-src"), "{what}: {csp}");
    assert!(csp.contains("style-src 'sha256-"), "{what}: {csp}");
    assert!(
        head.find("Content-Security-Policy") < head.find("<style"),
        "{what}: the CSP must come before the style sheet"
    );
    let lower = page.to_ascii_lowercase();
    for bad in [
        "<script", "<img", "<link", "<iframe", "<object", "<embed", "<base", "<form",
    ] {
        assert!(!lower.contains(bad), "{what}: the page holds {bad}");
    }
    if no_url_text {
        for bad in [
            "http://", "https://", "src=", "href=\"/", "href=\"h", "@import",
        ] {
            assert!(!lower.contains(bad), "{what}: the page holds {bad}");
        }
    }
    assert!(page.len() < 2 << 20, "{what}: {} bytes", page.len());
    check_markup(page, what)
}

/// [`check_page_with`] for a page that mentions no URL at all.
fn check_page(page: &str, what: &str) -> String {
    check_page_with(page, what, true)
}

/// The class the brief gives a response: success (9000, 61xx), warning (62xx, 63xx),
/// error (anything else), link failure; read from the trace line, not from the renderer.
fn expected_class(line: &Value) -> &'static str {
    if line.get("err").is_some() {
        return "link";
    }
    let rsp = line["rsp"].as_str().unwrap();
    if rsp.len() < 4 {
        return "err";
    }
    let sw = &rsp[rsp.len() - 4..];
    match &sw[..2] {
        "90" if sw == "9000" => "ok",
        "61" => "ok",
        "62" | "63" => "warn",
        _ => "err",
    }
}

fn golden_traces() -> Vec<PathBuf> {
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(traces_dir().join("index.json")).unwrap())
            .unwrap();
    let listed: BTreeSet<String> = index["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["trace"].as_str().unwrap().to_string())
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(traces_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".trace.jsonl"))
        .collect();
    assert_eq!(listed, on_disk, "index.json lists every golden trace");
    assert!(listed.len() >= 40, "{}", listed.len());
    listed.iter().map(|n| traces_dir().join(n)).collect()
}

#[test]
fn every_golden_trace_renders_to_a_safe_page() {
    let dir = work("golden");
    let mut classes_seen = BTreeSet::new();
    for trace in golden_traces() {
        let name = trace.file_name().unwrap().to_string_lossy().into_owned();
        let what = name.as_str();
        let page = render(&trace, None, &dir.join(format!("{name}.html")));
        check_page(&page, what);

        let text = std::fs::read_to_string(&trace).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let header = &lines[0];
        let exchanges: Vec<&Value> = lines.iter().filter(|l| l.get("i").is_some()).collect();
        assert!(
            page.contains(&format!("{} exchanges", exchanges.len())),
            "{what}"
        );
        assert_eq!(
            page.matches("<tr id=\"x").count(),
            exchanges.len(),
            "{what}: one timeline row per exchange"
        );
        for x in &exchanges {
            let i = x["i"].as_u64().unwrap();
            let row_start = page.find(&format!("<tr id=\"x{i}\"")).unwrap();
            let row = &page[row_start..];
            let row = &row[..row.find("</tr>").unwrap()];
            // Status word class and value.
            let class = expected_class(x);
            classes_seen.insert(class);
            assert!(
                row.starts_with(&format!("<tr id=\"x{i}\" class=\"c-{class}")),
                "{what} #{i}: {row}"
            );
            assert!(row.contains(&format!("badge b-{class}")), "{what} #{i}");
            if let Some(rsp) = x["rsp"].as_str().filter(|r| r.len() >= 4) {
                assert!(row.contains(&rsp[rsp.len() - 4..]), "{what} #{i}");
            }
            // The decoded command (the recorder's note is the annotator's text).
            if let Some(note) = x["note"].as_str() {
                assert!(row.contains(&escaped(note)), "{what} #{i}: {note}");
            }
            // The command bytes; a redacted secret is marked with its length.
            let cmd = x["cmd"].as_str().unwrap();
            match x.get("redacted") {
                Some(r) => {
                    let (offset, len) = (r["offset"].as_u64().unwrap(), r["len"].as_u64().unwrap());
                    let (before, after) = cmd.split_at(2 * usize::try_from(offset).unwrap());
                    assert!(
                        row.contains(&format!(
                            "{before}<span class=\"redacted\">‹{len} secret bytes redacted›</span>{after}"
                        )),
                        "{what} #{i}: {row}"
                    );
                    assert!(row.contains("SECRET REDACTED"), "{what} #{i}");
                }
                None => assert!(row.contains(cmd), "{what} #{i}"),
            }
            if let Some(err) = x.get("err") {
                assert!(
                    row.contains(&escaped(err["message"].as_str().unwrap())),
                    "{what} #{i}"
                );
            }
        }
        // The result: the golden result's outcome, error kind and named checks.
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(
                trace
                    .to_string_lossy()
                    .replace(".trace.jsonl", ".expected.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let result = &page[page.find("<section id=\"result\">").unwrap()..];
        let result = &result[..result.find("</section>").unwrap()];
        match expected["outcome"].as_str().unwrap() {
            "ok" => assert!(
                result.contains(&format!(
                    "<span class=\"badge b-ok\">ok</span> <code>{}</code> · {} APDUs",
                    expected["operation"].as_str().unwrap(),
                    expected["apdus"]
                )),
                "{what}: {result}"
            ),
            _ => assert!(
                result.contains(&format!(
                    "<span class=\"badge b-err\">error: {}</span>",
                    expected["error"]["kind"].as_str().unwrap()
                )),
                "{what}: {result}"
            ),
        }
        if let Some(checks) = expected["value"]["verification"]["checks"].as_array() {
            for c in checks {
                let name = c["name"].as_str().unwrap();
                let outcome = c["outcome"]["result"].as_str().unwrap().replace('_', " ");
                assert!(
                    result.contains(&format!(
                        "<tr><td>{}</td><td><span class=\"badge",
                        escaped(name)
                    )),
                    "{what}: check {name}"
                );
                assert!(
                    result.contains(&format!("\">{outcome}</span>")),
                    "{what}: {outcome}"
                );
            }
        }
        if header["scrubbed"] == json!(true) {
            assert!(page.contains("Scrubbed trace."), "{what}");
        }
        let redacted = header["redacted"].as_array().unwrap().len();
        if redacted > 0 {
            assert!(
                page.contains(&format!("{redacted} redacted command(s).")),
                "{what}"
            );
        }
    }
    // The golden traces cover every class of response.
    assert_eq!(
        classes_seen,
        ["err", "link", "ok", "warn"].into_iter().collect(),
        "classes seen"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A trace whose every free-text field holds markup, quotes and a URL.
fn hostile_trace() -> String {
    let evil = "<script>alert(\"x\")</script>'\"><img src=x onerror=alert(1)></style><a href=\"https://evil.example/\">https://evil.example/</a>\u{202E}rev";
    let header = json!({
        "format": "mynakit-trace/1",
        "operation": {"name": "token", "params": {}},
        "card": evil,
        "transport": {"max_command_len": 261, "max_response_len": 258, "extended_length": false},
        "scrubbed": true,
        "scrubbed_items": [evil],
        "faults": evil,
        "clock": evil,
        "recorded_by": evil,
        "token_kind": evil,
        "fixed": {"challenge_hex": evil}
    });
    let lines = [
        header,
        json!({"i": 0, "cmd": "00A4040C0AD392F000260100000001", "rsp": "9000", "ms": 0, "note": evil}),
        json!({"i": 1, "cmd": "00B0860000", "rsp": "0102039000", "ms": 0, "note": evil,
               "scrubbed": [{"offset": 0, "len": 2, "what": evil}]}),
        json!({"i": 2, "cmd": "00B0860000", "err": {"kind": "other", "message": evil}, "ms": 0}),
        json!({"end": {"exchanges": 3}}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn hostile_fields_stay_text() {
    let dir = work("hostile");
    let trace = dir.join("evil.trace.jsonl");
    std::fs::write(&trace, hostile_trace()).unwrap();
    // The trace is valid: the page is built from it, not from an error.
    let (code, out, err) = mynakit(&["trace", "show", trace.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    // A second copy whose operation name is markup too (the replay fails on it).
    let text = hostile_trace().replacen(
        "\"name\":\"token\"",
        "\"name\":\"<script>op'\\\"</script>\"",
        1,
    );
    assert!(text.contains("<script>op"));
    let trace2 = dir.join("evil2.trace.jsonl");
    std::fs::write(&trace2, &text).unwrap();

    for (t, other) in [(&trace, None), (&trace2, Some(trace.as_path()))] {
        let page = render(t, other, &dir.join("evil.html"));
        let what = t.display().to_string();
        // Markup only: the hostile text mentions a URL and `src=`, as text.
        let visible = check_page_with(&page, &what, false);
        // The markup is shown as text.
        assert!(
            page.contains(
                "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&gt;&lt;img src"
            ),
            "{what}"
        );
        assert!(!page.contains("<script"), "{what}");
        assert!(!page.contains("<img"), "{what}");
        assert!(!page.contains("<a href=\"https"), "{what}");
        assert_eq!(page.matches("</style>").count(), 1, "{what}");
        // The right-to-left override is not passed through.
        assert!(!page.contains('\u{202E}'), "{what}");
        assert!(page.contains("\u{FFFD}rev"), "{what}");
        // What the reader sees includes the hostile text, as text.
        assert!(visible.contains("&lt;script&gt;"), "{what}");
    }
    let page = std::fs::read_to_string(dir.join("evil.html")).unwrap();
    assert!(page.contains("&lt;script&gt;op&#39;&quot;&lt;/script&gt;"));
    assert!(page.contains("id=\"diff\""));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Personal data of a virtual-card profile, as a report could show it: as text, and as
/// the hex of its UTF-8 bytes (upper and lower case).
fn personal_data(profile: &str) -> Vec<String> {
    let p: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(format!("test-vectors/cards/{profile}/profile.json")))
            .unwrap(),
    )
    .unwrap();
    let person = &p["person"];
    let name = person["name"].as_str().unwrap();
    let birth = person["birth_date"].as_str().unwrap(); // 1990-01-02
    let mut values = vec![
        name.to_string(),
        person["address"].as_str().unwrap().to_string(),
        person["my_number"].as_str().unwrap().to_string(),
        birth.to_string(),
        birth.replace('-', ""), // 19900102, as the card stores it
    ];
    // Surname and given name are separated by an ideographic space.
    values.extend(name.split('\u{3000}').map(str::to_string));
    let mut out = Vec::new();
    for v in values {
        out.push(hex::encode_upper(v.as_bytes()));
        out.push(hex::encode(v.as_bytes()));
        out.push(v);
    }
    out
}

#[test]
fn a_scrubbed_trace_report_has_no_personal_data() {
    let dir = work("scrub");
    for (name, profile, must_show) in [
        // (trace, profile, distinct values its unscrubbed page shows at least)
        ("text", "taro", 10),
        ("face", "taro", 2), // the birth date; name and address are images
        ("sign-cert", "taro", 8),
        ("demo", "taro", 8),
        ("hanako-text", "hanako", 10),
    ] {
        let trace = traces_dir().join(format!("{name}.trace.jsonl"));
        let scrubbed = dir.join(format!("{name}-scrubbed.trace.jsonl"));
        let (code, out, err) = mynakit(&[
            "trace",
            "scrub",
            trace.to_str().unwrap(),
            "--out",
            scrubbed.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}{err}");
        // The text of the pages without their tags: a highlighted range does not split
        // a value.
        let plain = check_page(
            &render(&trace, None, &dir.join(format!("{name}.html"))),
            name,
        );
        let page_s = render(&scrubbed, None, &dir.join(format!("{name}-s.html")));
        let plain_s = check_page(&page_s, name);
        let shown: Vec<String> = personal_data(profile)
            .into_iter()
            .filter(|v| plain.contains(v.as_str()))
            .collect();
        // The unscrubbed page shows personal data (so the search below can fail) …
        let distinct: BTreeSet<String> = shown.iter().map(|v| v.to_lowercase()).collect();
        assert!(
            distinct.len() >= must_show,
            "{name}: the unscrubbed page shows only {shown:?}"
        );
        // … and the scrubbed one none of it, in the page source or its text.
        for v in &shown {
            assert!(
                !plain_s.contains(v.as_str()),
                "{name}: scrubbed page shows {v}"
            );
            assert!(
                !page_s.contains(v.as_str()),
                "{name}: scrubbed page holds {v}"
            );
        }
        assert!(page_s.contains("Scrubbed trace."), "{name}");
        assert!(page_s.contains("<span class=\"scrubbed\">"), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_view_and_timing() {
    let dir = work("diff");
    let t = |n: &str| traces_dir().join(format!("{n}.trace.jsonl"));
    // A trace compared with itself.
    let page = render(
        &t("sign-auth"),
        Some(&t("sign-auth")),
        &dir.join("same.html"),
    );
    check_page(&page, "same");
    assert!(
        page.contains("The traces are the same (10 exchanges"),
        "same"
    );
    assert!(page.contains("Both traces replay to the same result."));
    assert!(!page.contains(" differs\""));

    // The wrong PIN against the right one: the VERIFY answers differ from exchange 2 on.
    let page = render(
        &t("sign-auth"),
        Some(&t("sign-auth-wrong-pin")),
        &dir.join("pin.html"),
    );
    check_page(&page, "pin");
    let diff = &page[page.find("<section id=\"diff\">").unwrap()..];
    assert!(diff.contains("The results differ"), "pin");
    assert!(
        diff.contains("<a href=\"#x2\">exchange 2 (line 4) response"),
        "pin"
    );
    assert!(diff.contains("63C2 (2 tries remaining)"), "pin");
    // sign-auth has 10 exchanges, the wrong-PIN trace 3: 2 and 3..9 differ.
    assert_eq!(page.matches(" differs\"").count(), 8, "pin");
    assert!(
        page.contains("<tr id=\"x2\" class=\"c-ok differs\">"),
        "pin"
    );
    assert!(page.contains("8 exchange(s) differ"), "pin");

    // A trace with wall-clock times: start and elapsed columns, and the total.
    let text = std::fs::read_to_string(t("sign-auth-wrong-pin")).unwrap();
    let mut timed = String::new();
    for (n, line) in text.lines().enumerate() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if n == 0 {
            v["clock"] = json!("wall");
        } else if v.get("i").is_some() {
            v["ms"] = json!(10 * (n as u64) + 7); // 17, 27, 37 ms
        }
        timed.push_str(&format!("{v}\n"));
    }
    let timed_path = dir.join("timed.trace.jsonl");
    std::fs::write(&timed_path, timed).unwrap();
    let page = render(&timed_path, None, &dir.join("timed.html"));
    check_page(&page, "timed");
    assert!(page.contains("<th>start</th><th>time</th>"));
    assert!(page.contains("wall: 81 ms over 3 exchanges"), "timed");
    // Exchange 2 starts after 17 + 27 ms and takes 37.
    assert!(
        page.contains("<tr id=\"x2\" class=\"c-warn\"><td class=\"num\">2</td><td class=\"num\">44 ms</td><td class=\"num\">37 ms<br><meter min=\"0\" max=\"37\" value=\"37\">"),
        "timed"
    );
    // The golden traces use a fixed clock: no timing columns.
    let page = render(&t("token"), None, &dir.join("token.html"));
    assert!(!page.contains("<th>start</th>"));
    assert!(page.contains("fixed (no timing recorded)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unusable_input_writes_nothing() {
    let dir = work("bad");
    let out = dir.join("out.html");
    let bad = dir.join("bad.trace.jsonl");
    std::fs::write(&bad, "{\"format\":\"mynakit-trace/1\"}\n").unwrap();
    for args in [
        vec![
            "trace",
            "html",
            "no-such.trace.jsonl",
            "-o",
            out.to_str().unwrap(),
        ],
        vec![
            "trace",
            "html",
            bad.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    ] {
        let (code, _, err) = mynakit(&args);
        assert_eq!(code, 2, "{err}");
        // `error [CODE]: detail`, the CLI's form for every failure.
        assert!(err.starts_with("error [MK-"), "{err}");
        assert!(!out.exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
