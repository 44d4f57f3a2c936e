//! Password rules and hashing. Server-only.
//!
//! argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool
//! and never stalls the async workers.

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::model::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

/// Lowercase, one per line: passwords attackers try first.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn hasher() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1. The values
    // are constants, so building them cannot fail.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a new password is refused, said so the learner can pick another.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(format!(
            "Use at least {PASSWORD_MIN_CHARS} characters (this one has {length})."
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    if is_common(password) {
        return Err(
            "This password is among the most commonly used ones and easy to guess. Choose another."
                .to_owned(),
        );
    }
    Ok(())
}

fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    COMMON
        .get_or_init(|| COMMON_PASSWORDS.lines().map(str::trim).collect())
        .contains(password.to_lowercase().as_str())
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(HashError::Hash)
    })
    .await?
}

/// Checks a password against a stored hash. With no stored hash (unknown
/// email) it checks against a dummy hash, so both cases take the same time
/// and a stranger cannot tell which emails have accounts.
pub async fn verify(password: String, stored_hash: Option<String>) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || {
        let known = stored_hash.is_some();
        let stored = stored_hash.unwrap_or_else(|| dummy_hash().to_owned());
        let matches = match PasswordHash::new(&stored) {
            Ok(parsed) => hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
        known && matches
    })
    .await
    .map_err(HashError::from)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"not a real password, only spends the same time", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_rule_not_composition() {
        assert!(
            check_new_password("short")
                .unwrap_err()
                .contains("at least 8")
        );
        assert!(
            check_new_password(&"x".repeat(129))
                .unwrap_err()
                .contains("at most 128")
        );
        assert!(check_new_password("correct horse battery staple").is_ok());
        assert!(check_new_password("all lowercase words fine").is_ok());
        // Length counts characters, not bytes.
        assert!(check_new_password("éééééééé").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for common in ["password", "Password1", "12345678", "QWERTY123"] {
            if is_common(common) {
                assert!(
                    check_new_password(common)
                        .unwrap_err()
                        .contains("commonly used")
                );
            }
        }
        assert!(is_common("password"));
        assert!(is_common("PASSWORD"));
    }

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let hash = hash("a long enough secret".to_owned()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify("a long enough secret".to_owned(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("another secret".to_owned(), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !verify("a long enough secret".to_owned(), None)
                .await
                .unwrap()
        );
    }
}
