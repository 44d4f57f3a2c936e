//! Password rules and hashing. Server-only.
//!
//! argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool
//! and never stalls the async workers. At most one hash per core runs at a
//! time: the blocking pool has hundreds of threads, and a burst of sign-ups
//! or logins would otherwise start hundreds of 19 MiB hashes at once, using
//! memory without finishing any sooner.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, OnceLock};

use tokio::sync::Semaphore;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::types::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

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
    #[error("password hashing is closed: {0}")]
    Closed(#[from] tokio::sync::AcquireError),
}

/// One permit per core: more hashes at once only queue for the CPU.
static HASHING_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Arc::new(Semaphore::new(cores))
});

/// Runs password work on the blocking pool once a hashing slot is free.
/// The permit moves into the blocking task, so a request that gives up
/// waiting (the client left) does not free the slot while its hash still
/// runs.
async fn on_hashing_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let permit = Arc::clone(&HASHING_SLOTS).acquire_owned().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let result = work();
        drop(permit);
        result
    })
    .await?)
}

pub async fn hash(password: String) -> Result<String, HashError> {
    on_hashing_slot(move || {
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
    on_hashing_slot(move || {
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_cores() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..cores * 4 {
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            tasks.spawn(on_hashing_slot(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(30));
                running.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(
            (1..=cores).contains(&most),
            "{most} at once on {cores} cores"
        );
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
