//! The account's types, shared by server and browser: the signed-in user,
//! their role, the password's length rules and where a sign-in returns to.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user may do beyond learning. Stored as text, checked by the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Admin => "admin",
        }
    }

    pub fn from_db(text: &str) -> Role {
        if text == "admin" {
            Role::Admin
        } else {
            Role::Learner
        }
    }
}

/// The signed-in user, as pages see them. Hash: the server keeps a learner's
/// header under it (server/src/signed_in_pages.rs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Where to go after logging in: only paths on this site are followed, so a
/// crafted link cannot send a learner elsewhere after they log in.
/// Anything else (including non-ASCII, which browsers percent-encode) lands
/// on the catalog.
pub fn safe_return_path(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                // Only printable ASCII: it goes into a Location header as is.
                && path.chars().all(|c| c.is_ascii_graphic()) =>
        {
            path.to_owned()
        }
        _ => "/courses".to_owned(),
    }
}

/// The login page's address that brings the learner back to `path`.
pub fn login_path_returning_to(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    format!("/login?next={encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(safe_return_path(Some("/account")), "/account");
        assert_eq!(
            safe_return_path(Some("/courses?difficulty=advanced")),
            "/courses?difficulty=advanced"
        );
        for hostile in [
            "https://evil.test",
            "//evil.test",
            "/\\evil.test",
            "javascript:alert(1)",
            "",
            "/a\r\nLocation: x",
            "/kurs/é",
            "/a b",
        ] {
            assert_eq!(safe_return_path(Some(hostile)), "/courses", "{hostile}");
        }
        assert_eq!(safe_return_path(None), "/courses");
    }

    #[test]
    fn login_path_encodes_the_return_path() {
        assert_eq!(login_path_returning_to("/account"), "/login?next=/account");
        assert_eq!(
            login_path_returning_to("/courses?difficulty=advanced&x=1"),
            "/login?next=/courses%3Fdifficulty%3Dadvanced%26x%3D1"
        );
    }
}
