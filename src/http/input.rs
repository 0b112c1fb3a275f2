//! Parsing request bodies and query strings into typed inputs, with errors that name the
//! field and say why.

use crate::domain::Rule;
use crate::service::Error;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use warp::Filter;

/// Largest JSON body accepted; a 500-line work order is far below it.
pub const MAX_BODY: u64 = 1024 * 1024;

/// Routes put this before `auth::actor` so the body is read even when auth refuses: an unread
/// body makes hyper close the keep-alive connection under the client.
///
/// The raw body, refused above [`MAX_BODY`] whether or not a Content-Length announces it
/// (a POST with no body at all, as `curl -X POST` sends, is simply empty).
pub fn body() -> impl Filter<Extract = (Bytes,), Error = warp::Rejection> + Clone {
    warp::header::optional::<u64>("content-length")
        .and_then(|length: Option<u64>| async move {
            match length {
                Some(n) if n > MAX_BODY => Err(super::errors::reject(Error::TooLarge(MAX_BODY))),
                _ => Ok(()),
            }
        })
        .untuple_one()
        .and(warp::body::stream())
        .and_then(collect_limited)
}

async fn collect_limited<S, B>(stream: S) -> Result<Bytes, warp::Rejection>
where
    S: futures_util::Stream<Item = Result<B, warp::Error>>,
    B: bytes::Buf,
{
    use futures_util::StreamExt;
    let mut stream = std::pin::pin!(stream);
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let mut chunk = chunk.map_err(|_| {
            super::errors::reject(Error::Malformed(
                "the request body could not be read".into(),
            ))
        })?;
        if body.len() as u64 + chunk.remaining() as u64 > MAX_BODY {
            return Err(super::errors::reject(Error::TooLarge(MAX_BODY)));
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let n = part.len();
            body.extend_from_slice(part);
            chunk.advance(n);
        }
    }
    Ok(Bytes::from(body))
}

/// The raw query string, empty when there is none.
pub fn query() -> impl Filter<Extract = (String,), Error = std::convert::Infallible> + Clone {
    warp::query::raw().or(warp::any().map(String::new)).unify()
}

/// The name inside serde's "missing field `x`" / "unknown field `x`" messages.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() || path == "." {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Malformed("the request needs a JSON body".into()));
    }
    // Every body this API takes is an object; say so rather than report a serde detail.
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b == b'[' || b.is_ascii_digit() || *b == b'"') {
        serde_json::from_slice::<serde::de::IgnoredAny>(body)
            .map_err(|e| Error::Malformed(format!("the body is not valid JSON: {e}")))?;
        return Err(Error::invalid("body", "must be a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return Error::Malformed(format!("the body is not valid JSON: {inner}"));
        }
        field_error(&path, &inner.to_string())
    })?;
    // One JSON value and nothing after it: `{A}{B}` or `{A} and more` is not a request.
    de.end()
        .map_err(|e| Error::Malformed(format!("the body has data after its JSON value: {e}")))?;
    Ok(value)
}

fn field_error(path: &str, message: &str) -> Error {
    let message = message.split(" at line ").next().unwrap_or(message);
    let field = if message.starts_with("missing field") || message.starts_with("unknown field") {
        match quoted_name(message) {
            Some(name) if !path.ends_with(name) => join(path, name),
            _ => path.to_owned(),
        }
    } else if path.is_empty() || path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    let rule = if message.starts_with("missing field") {
        Rule::MissingField
    } else if message.starts_with("unknown field") {
        Rule::UnknownField
    } else {
        Rule::Invalid
    };
    Error::breaking(field, message, rule)
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = match field_error(&path, &e.inner().to_string()) {
            Error::Invalid {
                field,
                reason,
                rule,
            } if field == "body" => Error::breaking("query", reason, rule),
            other => other,
        };
        field
    })
}

/// A body that may be left out: none at all reads as the type's default.
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        name: String,
        lines: Vec<Line>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        quantity: i64,
    }

    fn field_of(json: &str) -> String {
        match parse_json::<Probe>(json.as_bytes()).unwrap_err() {
            Error::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field_of(r#"{"lines": []}"#), "name");
        assert_eq!(field_of(r#"{"name": 3, "lines": []}"#), "name");
        assert_eq!(
            field_of(r#"{"name": "x", "lines": [{"quantity": "many"}]}"#),
            "lines[0].quantity"
        );
        assert_eq!(
            field_of(r#"{"name": "x", "lines": [{}]}"#),
            "lines[0].quantity"
        );
        assert_eq!(
            field_of(r#"{"name": "x", "lines": [], "colour": 1}"#),
            "colour"
        );
    }

    #[test]
    fn broken_json_is_malformed() {
        for body in ["{", "", "nope", r#"{"name": "x""#] {
            assert!(
                matches!(
                    parse_json::<Probe>(body.as_bytes()),
                    Err(Error::Malformed(_))
                ),
                "{body}"
            );
        }
    }
}
