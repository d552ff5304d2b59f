//! Prometheus metrics, kept in memory and written as the text format:
//! request counts by route and status, a latency histogram by route, and
//! (at scrape time) the index's size and document counts. No labels carry
//! query text or client addresses.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, &'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    rate_limited: u64,
    reindex_runs: u64,
    reindex_failures: u64,
    deadline_stops: u64,
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    /// Counts one finished request.
    pub fn observe(&self, method: &'static str, route: &'static str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.requests.entry((route, method, status)).or_default() += 1;
        let histogram = inner.latency.entry(route).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                histogram.counts[i] += 1;
            }
        }
        histogram.sum += secs;
        histogram.count += 1;
    }

    /// Counts one request refused by the rate limiter.
    pub fn rate_limited(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .rate_limited += 1;
    }

    /// Counts one search the engine stopped at the request's time limit.
    pub fn stopped_at_deadline(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .deadline_stops += 1;
    }

    /// Counts one finished reindex.
    pub fn reindexed(&self, ok: bool) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.reindex_runs += 1;
        if !ok {
            inner.reindex_failures += 1;
        }
    }

    /// The Prometheus text exposition, with the index figures when known.
    pub fn render(&self, stats: Option<&engine::IndexStats>) -> String {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP answerbank_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE answerbank_http_requests_total counter\n");
        for ((route, method, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "answerbank_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP answerbank_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE answerbank_http_request_duration_seconds histogram\n");
        for (route, h) in &inner.latency {
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "answerbank_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "answerbank_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "answerbank_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "answerbank_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP answerbank_rate_limited_total Requests refused by the per-client rate limit.\n",
        );
        out.push_str("# TYPE answerbank_rate_limited_total counter\n");
        let _ = writeln!(out, "answerbank_rate_limited_total {}", inner.rate_limited);
        out.push_str("# HELP answerbank_reindex_total Admin reindex runs finished.\n");
        out.push_str("# TYPE answerbank_reindex_total counter\n");
        let _ = writeln!(out, "answerbank_reindex_total {}", inner.reindex_runs);
        out.push_str("# HELP answerbank_reindex_failures_total Admin reindex runs that failed.\n");
        out.push_str("# TYPE answerbank_reindex_failures_total counter\n");
        let _ = writeln!(
            out,
            "answerbank_reindex_failures_total {}",
            inner.reindex_failures
        );
        out.push_str(
            "# HELP answerbank_search_deadline_stops_total Searches stopped at the request time limit.\n",
        );
        out.push_str("# TYPE answerbank_search_deadline_stops_total counter\n");
        let _ = writeln!(
            out,
            "answerbank_search_deadline_stops_total {}",
            inner.deadline_stops
        );
        if let Some(stats) = stats {
            out.push_str("# HELP answerbank_index_size_bytes Size of the index on disk.\n");
            out.push_str("# TYPE answerbank_index_size_bytes gauge\n");
            let _ = writeln!(out, "answerbank_index_size_bytes {}", stats.size_bytes);
            out.push_str(
                "# HELP answerbank_index_records Records (Q&As and documents) in the index.\n",
            );
            out.push_str("# TYPE answerbank_index_records gauge\n");
            let _ = writeln!(out, "answerbank_index_records {}", stats.records);
            out.push_str(
                "# HELP answerbank_index_documents Index documents (records plus PDF pages).\n",
            );
            out.push_str("# TYPE answerbank_index_documents gauge\n");
            let _ = writeln!(out, "answerbank_index_documents {}", stats.documents);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/api/search", 200, Duration::from_millis(3));
        metrics.observe("GET", "/api/search", 400, Duration::from_millis(30));
        let text = metrics.render(None);
        assert!(text.contains(
            "answerbank_http_requests_total{route=\"/api/search\",method=\"GET\",status=\"200\"} 1"
        ));
        assert!(text.contains(
            "answerbank_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "answerbank_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"0.05\"} 2"
        ));
        assert!(text
            .contains("answerbank_http_request_duration_seconds_count{route=\"/api/search\"} 2"));
    }
}
