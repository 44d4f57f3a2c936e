//! Refuses control characters at the edge, once for every page, form and
//! server function.
//!
//! No field of AcmeLearn has a use for them, and they do harm further in: a
//! NUL byte is not storable in PostgreSQL text (the statement fails), and
//! others hide text from the people reading it. Tabs and line breaks are
//! ordinary text in a learning goal or a question and pass. The check reads
//! what the app itself will read: the path, the query string, and a form or
//! JSON body, each decoded as the app decodes it, so `%00` and `\u0000` are
//! caught as surely as a raw byte.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Larger bodies are refused before they are read: the largest legitimate
/// form (a profile with every interest) is a few kilobytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where a refused character was found, for the message.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    ControlCharacter { field: String },
    TooLarge,
}

impl Refusal {
    fn message(&self) -> String {
        match self {
            Refusal::ControlCharacter { field } if field.is_empty() => {
                "The address contains a control character (such as a NUL byte), which \
                 AcmeLearn does not accept. Remove it and try again."
                    .to_owned()
            }
            Refusal::ControlCharacter { field } => format!(
                "The field “{field}” contains a control character (such as a NUL byte), which \
                 AcmeLearn does not accept. Remove it and try again."
            ),
            Refusal::TooLarge => format!(
                "The request is larger than AcmeLearn accepts ({} KB).",
                MAX_BODY_BYTES / 1024
            ),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Refusal::ControlCharacter { .. } => StatusCode::BAD_REQUEST,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// The one check: anything but tab, line feed and carriage return among the
/// Unicode control characters (C0, DEL, C1).
pub fn is_refused(character: char) -> bool {
    character.is_control() && !matches!(character, '\t' | '\n' | '\r')
}

fn has_refused(text: &str) -> bool {
    text.chars().any(is_refused)
}

pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if let Some(refusal) = check_address(&request) {
        return refuse(&refusal, request.headers());
    }
    let kind = BodyKind::of(request.headers());
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return refuse(&Refusal::TooLarge, &parts.headers),
    };
    if let Some(refusal) = check_body(kind, &bytes) {
        return refuse(&refusal, &parts.headers);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn check_address(request: &Request) -> Option<Refusal> {
    let path = request.uri().path();
    let decoded_path = percent_decode(path);
    if has_refused(&decoded_path) {
        return Some(Refusal::ControlCharacter {
            field: String::new(),
        });
    }
    let query = request.uri().query().unwrap_or_default();
    check_form(query.as_bytes())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

impl BodyKind {
    fn of(headers: &HeaderMap) -> Self {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            BodyKind::Form
        } else if content_type.starts_with("application/json") {
            BodyKind::Json
        } else {
            BodyKind::Other
        }
    }
}

fn check_body(kind: BodyKind, bytes: &Bytes) -> Option<Refusal> {
    match kind {
        BodyKind::Form => check_form(bytes),
        // A body that is not JSON is left to the server function, which says
        // so; only text it would read is checked here.
        BodyKind::Json => serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|value| check_json(&value, "")),
        BodyKind::Other => None,
    }
}

fn check_form(encoded: &[u8]) -> Option<Refusal> {
    form_urlencoded::parse(encoded)
        .find(|(name, value)| has_refused(name) || has_refused(value))
        .map(|(name, _)| Refusal::ControlCharacter {
            field: printable(&name),
        })
}

fn check_json(value: &serde_json::Value, field: &str) -> Option<Refusal> {
    match value {
        serde_json::Value::String(text) if has_refused(text) => Some(Refusal::ControlCharacter {
            field: field.to_owned(),
        }),
        serde_json::Value::Array(items) => items.iter().find_map(|item| check_json(item, field)),
        serde_json::Value::Object(members) => members.iter().find_map(|(name, member)| {
            if has_refused(name) {
                Some(Refusal::ControlCharacter {
                    field: printable(name),
                })
            } else {
                check_json(member, name)
            }
        }),
        _ => None,
    }
}

/// A field name as it can be shown: its refused characters dropped, and
/// short (it is the sender's text, not ours).
fn printable(name: &str) -> String {
    name.chars().filter(|c| !is_refused(*c)).take(40).collect()
}

fn percent_decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// A plain answer: JSON in the server functions' own error shape for the
/// hydrated app (which shows it beside the form), a small page for a
/// browser without JavaScript.
fn refuse(refusal: &Refusal, request_headers: &HeaderMap) -> Response {
    let message = refusal.message();
    tracing::info!(%message, "refused a request");
    let wants_html = request_headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Request refused · AcmeLearn</title></head><body><main>\
             <h1>This request was refused</h1><p>{}</p>\
             <p>Go back, correct it and send it again, or <a href=\"/\">start over</a>.</p>\
             </main></body></html>",
            html_escape::encode_text(&message)
        );
        (
            refusal.status(),
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            page,
        )
            .into_response()
    } else {
        let body = serde_json::to_string(&app::AppError::BadRequest(message))
            .unwrap_or_else(|_| "{}".to_owned());
        (
            refusal.status(),
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_line_breaks_are_text_other_controls_are_not() {
        for allowed in ['\t', '\n', '\r', 'a', 'é', '€', '😀'] {
            assert!(!is_refused(allowed), "{allowed:?}");
        }
        for refused in ['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(is_refused(refused), "{refused:?}");
        }
    }

    #[test]
    fn encoded_nul_bytes_are_found_in_forms_and_json() {
        assert_eq!(
            check_form(b"learning_goal=ok%00no&current_level=beginner"),
            Some(Refusal::ControlCharacter {
                field: "learning_goal".to_owned()
            })
        );
        assert_eq!(check_form(b"question=line%0Anext%09tab"), None);
        let json: serde_json::Value =
            serde_json::from_str(r#"{"query": {"text": "a\u0000b", "tags": []}}"#).unwrap();
        assert_eq!(
            check_json(&json, ""),
            Some(Refusal::ControlCharacter {
                field: "text".to_owned()
            })
        );
        let nested: serde_json::Value =
            serde_json::from_str(r#"{"filter": {"tags": ["ok", "x\u0007"]}}"#).unwrap();
        assert!(check_json(&nested, "").is_some());
    }

    #[test]
    fn paths_are_checked_decoded() {
        assert!(has_refused(&percent_decode("/courses/%00")));
        assert!(!has_refused(&percent_decode("/courses/rust-101")));
        assert_eq!(percent_decode("/a%20b+c"), "/a b+c");
    }
}
