//! Query-string parsing with strict checks: every unknown, repeated or
//! malformed parameter is a 400 that names the parameter (never echoing the
//! user's query text).

use crate::error::ApiError;
use analysis::Lang;
use engine::{SearchRequest, Sort, MAX_LIMIT, MAX_QUERY_CHARS};
use ingest::RecordKind;
use std::collections::BTreeMap;

/// Deepest page a search may reach (`offset` at most this).
pub const MAX_OFFSET: usize = 10_000;
/// Longest `topic` or `country` value, in characters.
pub const MAX_FILTER_CHARS: usize = 100;
/// Most suggestions one request may ask for.
pub const MAX_SUGGEST_LIMIT: usize = 20;
/// Most similar records one request may ask for.
pub const MAX_SIMILAR_LIMIT: usize = 20;

/// The query string, once decoded: each name at most once.
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Checks names against `allowed` and rejects repeats.
    pub fn parse(pairs: Vec<(String, String)>, allowed: &[&str]) -> Result<Params, ApiError> {
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "unknown_parameter",
                    format!(
                        "unknown parameter {:?}; this endpoint takes: {}",
                        shorten(&name),
                        allowed.join(", ")
                    ),
                ));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "duplicate_parameter",
                    format!("parameter {name:?} is given more than once"),
                ));
            }
        }
        Ok(Params { values })
    }

    /// True when the parameter was given (even empty).
    pub fn present(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// A value, `None` when absent or empty (an empty form field means "any").
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A number in `min..=max`, or `default` when absent.
    pub fn number(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        let value: usize = raw.trim().parse().map_err(|_| {
            ApiError::invalid(format!("{name} must be a whole number from {min} to {max}"))
        })?;
        if value < min || value > max {
            return Err(ApiError::invalid(format!(
                "{name} must be from {min} to {max}"
            )));
        }
        Ok(value)
    }

    /// A free-text value of at most `max_chars` characters, without NUL.
    pub fn text(&self, name: &str, max_chars: usize) -> Result<Option<String>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        if raw.chars().count() > max_chars {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                if name == "q" {
                    "query_too_long"
                } else {
                    "invalid_parameter"
                },
                format!("{name} is longer than {max_chars} characters"),
            ));
        }
        if raw.chars().any(|c| c == '\0') {
            return Err(ApiError::invalid(format!(
                "{name} contains a NUL character"
            )));
        }
        Ok(Some(raw.to_string()))
    }

    /// A boolean: `true|false|1|0`, absent = false.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(_) => Err(ApiError::invalid(format!("{name} must be true or false"))),
        }
    }
}

/// The names `/api/search` takes.
pub const SEARCH_PARAMS: &[&str] = &[
    "q", "lang", "type", "topic", "country", "from", "to", "limit", "offset", "sort", "explain",
];

/// Builds the engine's request from `/api/search` parameters.
pub fn search_request(pairs: Vec<(String, String)>) -> Result<SearchRequest, ApiError> {
    let params = Params::parse(pairs, SEARCH_PARAMS)?;
    let q = params.text("q", MAX_QUERY_CHARS)?.unwrap_or_default();
    let lang = match params.get("lang") {
        None => None,
        Some(code) => Some(
            Lang::parse(code)
                .ok_or_else(|| ApiError::invalid("lang must be one of en, fr, es, ar, und"))?,
        ),
    };
    let kind = match params.get("type") {
        None => None,
        Some("qa") => Some(RecordKind::Qa),
        Some("document") => Some(RecordKind::Document),
        Some(_) => return Err(ApiError::invalid("type must be qa or document")),
    };
    let topic = params.text("topic", MAX_FILTER_CHARS)?;
    let country = params.text("country", MAX_FILTER_CHARS)?;
    let from = params.get("from").map(|d| date("from", d)).transpose()?;
    let to = params.get("to").map(|d| date("to", d)).transpose()?;
    if let (Some(from), Some(to)) = (&from, &to) {
        if from > to {
            return Err(ApiError::invalid("from must not be after to"));
        }
    }
    let limit = params.number("limit", 10, 1, MAX_LIMIT)?;
    let offset = params.number("offset", 0, 0, MAX_OFFSET)?;
    let sort = match params.get("sort") {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(_) => return Err(ApiError::invalid("sort must be relevance or date")),
    };
    let explain = params.flag("explain")?;
    Ok(SearchRequest {
        q,
        lang,
        kind,
        topic,
        country,
        from,
        to,
        limit,
        offset,
        sort,
        explain,
    })
}

/// Checks a `YYYY-MM-DD` calendar date.
pub fn date(name: &str, value: &str) -> Result<String, ApiError> {
    let bad = || ApiError::invalid(format!("{name} must be a date written YYYY-MM-DD"));
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(bad());
    }
    let digits = |range: std::ops::Range<usize>| -> Result<u32, ApiError> {
        let part = &value[range];
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days {
        return Err(bad());
    }
    Ok(value.to_string())
}

fn shorten(name: &str) -> String {
    name.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_full_request_parses() {
        let request = search_request(pairs(&[
            ("q", "enfants non accompagnés"),
            ("lang", "fr"),
            ("type", "qa"),
            ("from", "2024-02-29"),
            ("to", "2024-12-31"),
            ("limit", "20"),
            ("offset", "40"),
            ("sort", "date"),
        ]))
        .unwrap();
        assert_eq!(request.q, "enfants non accompagnés");
        assert_eq!(request.lang, Some(Lang::Fr));
        assert_eq!(request.kind, Some(RecordKind::Qa));
        assert_eq!(request.limit, 20);
        assert_eq!(request.offset, 40);
        assert_eq!(request.sort, Sort::Date);
    }

    #[test]
    fn defaults() {
        let request = search_request(pairs(&[("q", "x"), ("lang", "")])).unwrap();
        assert_eq!(request.limit, 10);
        assert_eq!(request.lang, None);
    }

    #[test]
    fn bad_values_are_rejected_with_codes() {
        for (list, code) in [
            (vec![("limit", "101")], "invalid_parameter"),
            (vec![("limit", "-1")], "invalid_parameter"),
            (vec![("from", "2023-02-29")], "invalid_parameter"),
            (vec![("to", "2024-13-01")], "invalid_parameter"),
            (vec![("nope", "1")], "unknown_parameter"),
            (vec![("q", "a"), ("q", "b")], "duplicate_parameter"),
        ] {
            let err = search_request(pairs(&list)).unwrap_err();
            assert_eq!(err.code, code, "{list:?}");
            assert_eq!(err.status, 400);
        }
        let long = "é".repeat(MAX_QUERY_CHARS + 1);
        let err = search_request(vec![("q".into(), long)]).unwrap_err();
        assert_eq!(err.code, "query_too_long");
        let exact = "é".repeat(MAX_QUERY_CHARS);
        assert!(search_request(vec![("q".into(), exact)]).is_ok());
    }
}
