//! The page and the widget in a real headless Chromium, driven through
//! chromedriver's W3C WebDriver protocol (plain JSON over HTTP). Queries are
//! typed in English, French, Spanish and Arabic; the widget runs on a host
//! page served from another origin. Screenshots go to tests/artifacts/.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs
//! them); without them the test says so and passes without checking.

use crate::server::{http, shared_engine, test_config, TestServer, QUERIES};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW: &str = "shadow-6066-11e4-a52e-4f735466cecf";
const ENTER: &str = "\u{E007}";
const ARROW_DOWN: &str = "\u{E015}";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Driver {
    child: Child,
    addr: SocketAddr,
    session: String,
    profile_dir: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver and a headless Chromium session, or `None` with a
    /// message when either is not installed.
    fn start() -> Option<Driver> {
        let Some(chromedriver) = find_program(&["chromedriver"]) else {
            eprintln!(
                "SKIPPED browser test: chromedriver not found (apt-get install chromium-driver)"
            );
            return None;
        };
        let binary = ["/usr/lib/chromium/chromium"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| find_program(&["chromium", "chromium-browser", "google-chrome"]));
        let Some(binary) = binary else {
            eprintln!("SKIPPED browser test: chromium not found (apt-get install chromium)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--no-first-run".to_string(),
            "--disable-breakpad".to_string(),
            "--disable-crash-reporter".to_string(),
            "--lang=en-US".to_string(),
            "--window-size=1280,1000".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut driver = Driver {
            child,
            addr,
            session: String::new(),
            profile_dir: profile,
        };
        let created = driver.raw(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": binary.to_string_lossy(), "args": args}
            }}}),
        );
        driver.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Some(driver)
    }

    fn raw(&self, method: &str, path: &str, body: Value) -> Value {
        let bytes = if method == "GET" || method == "DELETE" {
            Vec::new()
        } else {
            serde_json::to_vec(&body).unwrap()
        };
        let answer = http(
            self.addr,
            method,
            path,
            &[("content-type", "application/json")],
            &bytes,
        );
        let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        assert!(
            answer.status < 400,
            "webdriver {method} {path}: {} {json}",
            answer.status
        );
        json["value"].clone()
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        self.raw(method, &format!("/session/{}{path}", self.session), body)
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url }));
    }

    fn exec(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Polls `script` (a JS expression) until it is truthy.
    fn wait(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.exec(&format!("return ({script});"));
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if Instant::now() > deadline {
                self.screenshot("failure.png");
                panic!("timed out waiting for {what}: {script}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn find(&self, css: &str) -> String {
        let found = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        found[ELEMENT].as_str().unwrap().to_string()
    }

    fn find_in_shadow(&self, host_css: &str, css: &str) -> String {
        let host = self.find(host_css);
        let root = self.cmd("GET", &format!("/element/{host}/shadow"), Value::Null);
        let root_id = root[SHADOW].as_str().expect("a shadow root").to_string();
        let found = self.cmd(
            "POST",
            &format!("/shadow/{root_id}/element"),
            json!({"using": "css selector", "value": css}),
        );
        found[ELEMENT].as_str().unwrap().to_string()
    }

    fn type_into(&self, element: &str, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        );
    }

    fn clear(&self, element: &str) {
        self.cmd("POST", &format!("/element/{element}/clear"), json!({}));
    }

    fn click(&self, element: &str) {
        self.cmd("POST", &format!("/element/{element}/click"), json!({}));
    }

    fn screenshot(&self, name: &str) {
        let data = self.cmd("GET", "/screenshot", Value::Null);
        if let Some(text) = data.as_str() {
            std::fs::write(artifacts().join(name), base64_decode(text)).unwrap();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.addr,
                "DELETE",
                &format!("/session/{}", self.session),
                &[],
                b"",
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A Chromium whose session was never closed (a panic mid-test)
        // outlives chromedriver: end the processes started on our profile.
        let profile = self.profile_dir.path().to_string_lossy().to_string();
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if !name.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&profile) {
                    let _ = Command::new("kill").arg("-9").arg(&name).status();
                }
            }
        }
    }
}

/// Standard base64 (screenshots come as base64 PNG).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let Some(v) = value(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A second origin: a tiny server that answers every request with the
/// widget's example host page, pointing at the Answerbank server.
fn host_page_server(answerbank: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let page = server::example_page(&format!("http://{answerbank}"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                page.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(page.as_bytes());
        }
    });
    addr
}

fn js_str(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn page_and_widget_in_headless_chromium() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let server = TestServer::start(test_config(), shared_engine());
    let base = format!("http://{}", server.addr);

    // First load with an empty cache: everything the browser transferred.
    driver.goto(&format!("{base}/?ui=en"));
    driver.wait("the page script", "document.title === 'Answerbank'");
    let weight = driver.exec(
        "const n = performance.getEntriesByType('navigation')[0];
         return performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, n.transferSize);",
    );
    let weight = weight.as_f64().unwrap();
    println!("first load in Chromium: {weight} bytes transferred");
    assert!(weight > 1000.0 && weight < 100.0 * 1024.0, "{weight}");

    // The page in the four languages: typed queries, results, facets, direction.
    let labels = [
        ("en", "Search past answers and guidance"),
        ("fr", "Chercher dans les réponses et les guides"),
        ("es", "Buscar en respuestas y guías"),
        ("ar", "ابحث في الإجابات السابقة والأدلة"),
    ];
    for (lang, q) in QUERIES {
        driver.goto(&format!("{base}/?ui={lang}"));
        driver.wait("the page script", "document.documentElement.lang !== ''");
        let label = driver.exec("return document.querySelector('label[for=q]').textContent;");
        let expected_label = labels.iter().find(|(l, _)| *l == lang).unwrap().1;
        assert_eq!(label, expected_label, "{lang}: interface text");
        let direction = driver.exec("return getComputedStyle(document.body).direction;");
        let want = if lang == "ar" { "rtl" } else { "ltr" };
        assert_eq!(direction, want, "{lang}: page direction");

        let input = driver.find("#q");
        driver.type_into(&input, q);
        driver.type_into(&input, ENTER);
        driver.wait(
            "hits",
            "document.querySelectorAll('#hits > li.hit').length > 0",
        );
        let top = driver.exec(
            "return Array.from(document.querySelectorAll('#hits > li.hit')).slice(0, 3).map(li => li.lang);",
        );
        assert!(
            top.as_array().unwrap().iter().any(|l| l == lang),
            "{lang}: no {lang} hit in the top 3: {top}"
        );
        // Each hit is laid out in its own language's direction.
        let wrong = driver.exec(
            "return Array.from(document.querySelectorAll('#hits > li.hit')).filter(li =>
               getComputedStyle(li).direction !== (li.lang === 'ar' ? 'rtl' : 'ltr')).length;",
        );
        assert_eq!(wrong, 0, "{lang}: hits with the wrong direction");
        let marks = driver.exec("return document.querySelectorAll('#hits mark').length;");
        assert!(marks.as_u64().unwrap() > 0, "{lang}: no highlights");
        let title_marks = driver.exec("return document.querySelectorAll('#hits h3 mark').length;");
        assert!(
            title_marks.as_u64().unwrap() > 0,
            "{lang}: no highlight in any title"
        );

        // The language facet filters.
        let facet = driver.find(&format!(
            "#facet-list fieldset[data-facet=language] button[data-value={lang}]"
        ));
        driver.click(&facet);
        driver.wait(
            "the language filter",
            &format!("location.search.includes('lang={lang}') && document.querySelector('#facet-list button[data-value={lang}][aria-pressed=true]')"),
        );
        driver.wait(
            "filtered hits",
            &format!("document.querySelectorAll('#hits > li.hit').length > 0 && Array.from(document.querySelectorAll('#hits > li.hit')).every(li => li.lang === '{lang}')"),
        );
        driver.screenshot(&format!("page-{lang}.png"));
    }

    // Facet values are named in the interface language: topics from the
    // page's table (unknown slugs prettified), countries by the browser.
    for (lang, topic, country) in [
        ("fr", "Gestion de cas", "Yémen"),
        ("ar", "إدارة الحالات", "اليمن"),
        ("es", "Gestión de casos", "Yemen"),
    ] {
        driver.goto(&format!(
            "{base}/?ui={lang}&q=children%20OR%20enfants%20OR%20ni%C3%B1os%20OR%20%D8%A7%D9%84%D8%A3%D8%B7%D9%81%D8%A7%D9%84"
        ));
        let topics = driver.wait(
            "the topic facet",
            "(() => { const b = v => document.querySelector(`#facet-list fieldset[data-facet=topic] button[data-value=\"${v}\"]`);
                      return b('case-management') && b('education') && [b('case-management'), b('education')].map(x => x.firstChild.textContent).join('|'); })()",
        );
        assert_eq!(topics, format!("{topic}|Education"), "{lang}: topic labels");
        driver.goto(&format!("{base}/?ui={lang}&q=children&country=Yemen"));
        let chip = driver.wait(
            "the country filter chip",
            "document.querySelector('#facet-list .chip') && document.querySelector('#facet-list .chip').textContent",
        );
        assert_eq!(chip, format!("{country} ×"), "{lang}: country label");
    }

    // PDF hits open the file at the page.
    driver.goto(&format!("{base}/?ui=en&q=emergency%20shelter"));
    let href = driver.wait(
        "a PDF page link",
        "document.querySelector('#hits a.page-link') && document.querySelector('#hits a.page-link').href",
    );
    assert_eq!(
        href,
        format!("{base}/api/files/docs/referral-guide.pdf#page=2")
    );
    let text = driver.exec("return document.querySelector('#hits a.page-link').textContent;");
    assert_eq!(text, "Page 2");
    // Its record view lists every page, each opening the PDF there.
    let title = driver.find("#hits li.hit[data-id='docs/referral-guide.pdf'] h3 a");
    driver.click(&title);
    let page_three = driver.wait(
        "the record's page links",
        "document.querySelector('#record a[data-page=\"3\"]') && document.querySelector('#record a[data-page=\"3\"]').href",
    );
    assert_eq!(
        page_three,
        format!("{base}/api/files/docs/referral-guide.pdf#page=3")
    );

    // Pagination.
    driver.goto(&format!("{base}/?ui=en&q=children"));
    driver.wait(
        "page 1",
        "document.querySelector('#pager button[aria-current=page]') && document.querySelector('#pager button[aria-current=page]').textContent === '1'",
    );
    let first = driver.exec("return document.querySelector('#hits > li.hit').dataset.id;");
    let count = driver.exec("return document.querySelectorAll('#hits > li.hit').length;");
    assert_eq!(count, 10);
    let two = driver.exec(
        "return Array.from(document.querySelectorAll('#pager button')).findIndex(b => b.textContent === '2');",
    );
    assert!(two.as_i64().unwrap() >= 0, "no page 2 button");
    let button = driver.find(&format!(
        "#pager button:nth-child({})",
        two.as_i64().unwrap() + 1
    ));
    driver.click(&button);
    driver.wait(
        "page 2",
        "document.querySelector('#pager button[aria-current=page]').textContent === '2' && location.search.includes('page=2')",
    );
    driver.wait(
        "other hits",
        &format!(
            "document.querySelector('#hits > li.hit') && document.querySelector('#hits > li.hit').dataset.id !== {}",
            first
        ),
    );

    // Suggestions as you type, picked with the keyboard; the record view and
    // its similar answers.
    driver.goto(&format!("{base}/?ui=en"));
    let input = driver.find("#q");
    driver.type_into(&input, "how do");
    driver.wait(
        "suggestions",
        "!document.getElementById('suggestions').hidden && document.querySelectorAll('#suggestions li').length > 0",
    );
    let expanded =
        driver.exec("return document.getElementById('q').getAttribute('aria-expanded');");
    assert_eq!(expanded, "true");
    let suggested = driver.exec("return document.querySelector('#suggestions li').dataset.id;");
    driver.type_into(&input, ARROW_DOWN);
    let active =
        driver.exec("return document.getElementById('q').getAttribute('aria-activedescendant');");
    assert_eq!(active, "sg-0");
    driver.type_into(&input, ENTER);
    driver.wait(
        "the record",
        &format!(
            "document.querySelector('#record .rec') && document.querySelector('#record .rec').dataset.id === {}",
            suggested
        ),
    );
    driver.wait(
        "similar answers",
        "document.querySelectorAll('#similar li.hit').length > 0",
    );
    driver.screenshot("record.png");

    // The widget on another origin, inside a Shadow DOM.
    let host = host_page_server(server.addr);
    driver.goto(&format!("http://{host}/"));
    driver.wait(
        "the widget",
        "document.querySelector('#answerbank') && document.querySelector('#answerbank').shadowRoot && document.querySelector('#answerbank').shadowRoot.querySelector('input')",
    );
    assert_ne!(
        driver.exec("return location.origin;"),
        Value::String(base.clone()),
        "the host page is another origin"
    );
    for (lang, q) in QUERIES.iter().chain([("en", "emergency shelter")].iter()) {
        // Forget the previous answer so that the wait below sees the new one.
        driver.exec("document.querySelector('#answerbank').shadowRoot.querySelector('ol.hits').textContent = '';");
        let input = driver.find_in_shadow("#answerbank", "input");
        driver.clear(&input);
        driver.type_into(&input, q);
        driver.type_into(&input, ENTER);
        let status = driver.wait(
            "widget results",
            &format!(
                "(() => {{ const r = document.querySelector('#answerbank').shadowRoot;
                   const hits = r.querySelectorAll('li.hit');
                   return hits.length > 0 && r.querySelector('.status').textContent && hits[0].querySelector('a').textContent && {q}.length; }})()",
                q = js_str(q)
            ),
        );
        assert!(status.as_u64().unwrap() > 0);
        let langs = driver.exec(
            "return Array.from(document.querySelector('#answerbank').shadowRoot.querySelectorAll('li.hit')).map(li => [li.lang, getComputedStyle(li).direction]);",
        );
        let langs = langs.as_array().unwrap();
        assert!(
            langs.iter().any(|pair| pair[0] == *lang),
            "widget {lang}: {langs:?}"
        );
        for pair in langs {
            let want = if pair[0] == "ar" { "rtl" } else { "ltr" };
            assert_eq!(pair[1], want, "widget hit direction: {pair}");
        }
        let marks = driver.exec(
            "const r = document.querySelector('#answerbank').shadowRoot;
             return [r.querySelectorAll('li.hit h3 mark').length, r.querySelectorAll('li.hit mark').length];",
        );
        assert!(
            marks[0].as_u64().unwrap() > 0
                && marks[1].as_u64().unwrap() > marks[0].as_u64().unwrap(),
            "widget {lang}: title and passage highlights {marks}"
        );
        if *lang == "ar" {
            driver.screenshot("widget-ar.png");
        }
    }
    // The last query hit the PDF: its page link points at the server.
    let page_link = driver.wait(
        "the widget's PDF page link",
        "document.querySelector('#answerbank').shadowRoot.querySelector('a[data-page]') && document.querySelector('#answerbank').shadowRoot.querySelector('a[data-page]').href",
    );
    assert_eq!(
        page_link,
        format!("{base}/api/files/docs/referral-guide.pdf#page=2")
    );
    // Styles do not cross the shadow boundary either way.
    let isolation = driver.exec(
        "const r = document.querySelector('#answerbank').shadowRoot;
         const input = getComputedStyle(r.querySelector('input'));
         const li = getComputedStyle(r.querySelector('li.hit'));
         return [input.fontFamily, input.borderTopStyle, li.textTransform,
                 getComputedStyle(document.getElementById('host-title')).color,
                 getComputedStyle(document.getElementById('host-text')).fontFamily];",
    );
    let isolation = isolation.as_array().unwrap();
    assert!(
        !isolation[0].as_str().unwrap().contains("Courier"),
        "host font leaked in: {isolation:?}"
    );
    assert_ne!(isolation[1], "dashed", "host border leaked in");
    assert_eq!(isolation[2], "none", "host text-transform leaked in");
    assert_eq!(
        isolation[3], "rgb(102, 204, 51)",
        "the host's heading kept its colour"
    );
    assert!(isolation[4].as_str().unwrap().contains("Georgia"));
    driver.screenshot("widget.png");

    // The widget's "search before you ask": past questions as you type,
    // picked with the keyboard, searched for.
    let input = driver.find_in_shadow("#answerbank", "input");
    driver.clear(&input);
    driver.type_into(&input, "comment");
    let suggested = driver.wait(
        "widget suggestions",
        "(() => { const r = document.querySelector('#answerbank').shadowRoot;
           const list = r.querySelector('ul.sg');
           return !list.hidden && list.children.length > 0 && list.children[0].textContent; })()",
    );
    driver.exec("document.querySelector('#answerbank').shadowRoot.querySelector('ol.hits').textContent = '';");
    driver.type_into(&input, ARROW_DOWN);
    driver.type_into(&input, ENTER);
    let first_title = driver.wait(
        "results for the picked question",
        "(() => { const h = document.querySelector('#answerbank').shadowRoot.querySelector('li.hit h3 a');
           return h && h.textContent; })()",
    );
    assert_eq!(
        first_title, suggested,
        "the picked question's own answer comes first"
    );
    let value = driver.exec(
        "return document.querySelector('#answerbank').shadowRoot.querySelector('input').value;",
    );
    assert_eq!(value, suggested);
}
