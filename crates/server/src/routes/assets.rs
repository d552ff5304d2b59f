//! The page, the widget and the widget's example host page, embedded in the
//! binary so that it is self-contained (no CDN, works offline).

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An embedded file.
pub struct Asset {
    /// URL path.
    pub path: &'static str,
    /// Content type.
    pub content_type: &'static str,
    /// Bytes.
    pub body: &'static [u8],
    /// Cache-Control.
    pub cache: &'static str,
}

/// Every file of the page's first load, then the widget's.
pub const PAGE_ASSETS: [Asset; 4] = [
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("../../assets/index.html"),
        cache: "no-cache",
    },
    Asset {
        path: "/assets/app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/app.css"),
        cache: "public, max-age=300",
    },
    Asset {
        path: "/assets/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/app.js"),
        cache: "public, max-age=300",
    },
    Asset {
        path: "/assets/icon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../assets/icon.svg"),
        cache: "public, max-age=86400",
    },
];

/// The widget script.
pub const WIDGET: Asset = Asset {
    path: "/widget.js",
    content_type: "text/javascript; charset=utf-8",
    body: include_bytes!("../../assets/widget.js"),
    cache: "public, max-age=300",
};

/// The example host page, as committed (its script tag points at
/// [`EXAMPLE_ORIGIN`], replaced by the serving origin at `/widget/example`).
pub const WIDGET_EXAMPLE: &str = include_str!("../../assets/widget-example.html");

/// The origin written in the example host page.
pub const EXAMPLE_ORIGIN: &str = "http://127.0.0.1:8640";

/// The page's Content-Security-Policy: everything from this origin only.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

fn etag(body: &[u8]) -> String {
    // FNV-1a: a cheap fingerprint, enough to revalidate an embedded file.
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in body {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("\"{hash:016x}\"")
}

fn serve(asset: &Asset, headers: &HeaderMap, csp: bool) -> Response {
    let tag = etag(asset.body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let h = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, value);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(asset.cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if csp {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    response
}

/// Serves one of the page's files.
pub async fn page_asset(request: Request) -> Response {
    let path = request.uri().path();
    match PAGE_ASSETS.iter().find(|a| a.path == path) {
        Some(asset) => serve(asset, request.headers(), asset.path == "/"),
        None => crate::error::ApiError::not_found("no such file").into_response(),
    }
}

/// Serves the widget script (loadable from any origin by a `<script>` tag).
pub async fn widget(headers: HeaderMap) -> Response {
    let mut response = serve(&WIDGET, &headers, false);
    response.headers_mut().insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// The example host page, pointing at this server.
pub async fn widget_example(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1:8640");
    let page = example_page(&format!("http://{host}"));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        page,
    )
        .into_response()
}

/// The example host page with its script tag pointing at `origin`.
pub fn example_page(origin: &str) -> String {
    WIDGET_EXAMPLE.replace(EXAMPLE_ORIGIN, origin)
}
