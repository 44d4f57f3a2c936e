//! Account rules and their SQL. Server-only; the server functions in
//! `api.rs` add the session and the HTTP details around these.

use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::password::{self, HashError};
use super::throttle::{self, Action, Refused, Reservation};
use super::types::{CurrentUser, Role};
use crate::{AppError, FormErrors};

/// Failed logins counted per account and per client address in this window.
pub const THROTTLE_WINDOW: Duration = throttle::LOGIN.window;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = throttle::LOGIN.per_email;
/// Higher than per account: many people can share one address (an office, a campus).
pub const MAX_FAILURES_PER_CLIENT: i64 = throttle::LOGIN.per_client;
pub const RESET_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

const WRONG_CREDENTIALS: &str = "Email or password is incorrect.";
const MAX_EMAIL_CHARS: usize = 254;

impl From<HashError> for AppError {
    fn from(error: HashError) -> Self {
        tracing::error!(%error, "password hashing");
        AppError::Internal.with_status()
    }
}

/// A trimmed email that looks deliverable, or a message for the form.
pub fn parse_email(input: &str) -> Result<String, String> {
    let email = input.trim();
    if email.is_empty() {
        return Err("Enter your email address.".to_owned());
    }
    if email.chars().count() > MAX_EMAIL_CHARS || !email_address::EmailAddress::is_valid(email) {
        return Err("Enter a valid email address, like name@example.com.".to_owned());
    }
    Ok(email.to_owned())
}

/// The new-password pair of a form: rules, then that both copies match.
fn check_new_password_pair(
    errors: &mut FormErrors,
    field: &str,
    password: &str,
    confirmation_field: &str,
    confirmation: &str,
) {
    match password::check_new_password(password) {
        Err(message) => errors.add(field, message),
        Ok(()) if password != confirmation => {
            errors.add(confirmation_field, "The two passwords do not match.")
        }
        Ok(()) => {}
    }
}

struct UserRow {
    id: Uuid,
    email: String,
    role: String,
    password_hash: String,
    is_active: bool,
    session_epoch: i32,
}

impl UserRow {
    fn current_user(&self) -> CurrentUser {
        CurrentUser {
            id: self.id,
            email: self.email.clone(),
            role: Role::from_db(&self.role),
        }
    }
}

/// Who a session belongs to: the user and the session epoch it was started in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub session_epoch: i32,
}

/// The sign-up form's email, or what is wrong with the form.
fn check_sign_up(
    email_input: &str,
    password: &str,
    confirmation: &str,
) -> Result<String, AppError> {
    let mut errors = FormErrors::new();
    let email = parse_email(email_input)
        .map_err(|message| errors.add("email", message))
        .ok();
    check_new_password_pair(
        &mut errors,
        "password",
        password,
        "password_confirmation",
        confirmation,
    );
    errors.into_result()?;
    Ok(email.unwrap_or_default())
}

/// Signs up a visitor: [`register`], throttled per email and per client
/// address. Checked after the form (a typo costs nothing) and before the
/// password is hashed (which is what the throttle saves).
pub async fn sign_up(
    pool: &PgPool,
    email_input: &str,
    password: &str,
    confirmation: &str,
    client_address: &str,
) -> Result<SignedIn, AppError> {
    let email = check_sign_up(email_input, password, confirmation)?;
    let reservation =
        throttle::reserve(pool, Action::SignUp, &email.to_lowercase(), client_address).await?;
    if let Reservation::Refused(refused) = reservation {
        let message = match refused {
            Refused::Email(_) => format!(
                "There were too many sign-ups with this email address in the last hour. Try again in {}.",
                refused.readable_wait()
            ),
            Refused::Client(_) => format!(
                "There were too many sign-ups from your network in the last hour. Try again in {}.",
                refused.readable_wait()
            ),
        };
        return Err(AppError::LimitReached(message).with_status());
    }
    create_account(pool, &email, password).await
}

/// Creates the user, their empty profile (version 1) and its version-1
/// snapshot in one transaction: the profile history starts at sign-up.
/// Not throttled: for tools and tests; visitors come through [`sign_up`].
pub async fn register(
    pool: &PgPool,
    email_input: &str,
    password: &str,
    confirmation: &str,
) -> Result<SignedIn, AppError> {
    let email = check_sign_up(email_input, password, confirmation)?;
    create_account(pool, &email, password).await
}

async fn create_account(pool: &PgPool, email: &str, password: &str) -> Result<SignedIn, AppError> {
    let password_hash = password::hash(password.to_owned()).await?;
    let mut transaction = pool.begin().await?;
    let inserted = sqlx::query!(
        "insert into users (email, password_hash) values ($1, $2) returning id, session_epoch",
        email,
        password_hash,
    )
    .fetch_one(&mut *transaction)
    .await;
    let (user_id, session_epoch) = match inserted {
        Ok(row) => (row.id, row.session_epoch),
        Err(sqlx::Error::Database(error)) if error.constraint() == Some("users_email_key") => {
            return Err(AppError::invalid(FormErrors::new().with(
                "email",
                "An account with this email already exists. Log in instead, or reset your password.",
            )));
        }
        Err(error) => return Err(error.into()),
    };
    crate::profile::service::create_first_version(&mut transaction, user_id).await?;
    transaction.commit().await?;

    Ok(SignedIn {
        user: CurrentUser {
            id: user_id,
            email: email.to_owned(),
            role: Role::Learner,
        },
        session_epoch,
    })
}

/// Checks credentials, with throttling per account and per client address.
/// An unknown email and a wrong password get the same answer in about the
/// same time.
///
/// The attempt is recorded as a failure before the password is checked and
/// taken back when it was not one, so parallel guesses are each counted
/// before any of them costs a hash.
pub async fn authenticate(
    pool: &PgPool,
    email_input: &str,
    password: &str,
    client_address: &str,
) -> Result<SignedIn, AppError> {
    let email = parse_email(email_input)
        .map_err(|message| AppError::invalid(FormErrors::new().with("email", message)))?;
    let email_key = email.to_lowercase();

    let attempt_id = match throttle::reserve_login(pool, &email_key, client_address).await? {
        Reservation::Reserved(id) => id,
        Reservation::Refused(refused) => {
            return Err(AppError::TooManyAttempts {
                retry_after_minutes: refused.minutes(),
            }
            .with_status());
        }
    };
    let user = match user_with_password(pool, &email_key, password).await {
        Ok(Some(user)) => user,
        // The reserved row stays: it is this failure.
        Ok(None) => return Err(AppError::invalid(FormErrors::form(WRONG_CREDENTIALS))),
        Err(error) => {
            throttle::forget_login(pool, attempt_id).await;
            return Err(error);
        }
    };
    // Said only to someone who knows the password, so it reveals nothing new.
    if !user.is_active {
        throttle::forget_login(pool, attempt_id).await;
        return Err(AppError::invalid(FormErrors::form(
            "This account has been deactivated. Contact support if you want it back.",
        )));
    }
    sqlx::query!("delete from login_failures where email_key = $1", email_key)
        .execute(pool)
        .await?;
    Ok(SignedIn {
        user: user.current_user(),
        session_epoch: user.session_epoch,
    })
}

/// The account with this email when the password is its password.
async fn user_with_password(
    pool: &PgPool,
    email_key: &str,
    password: &str,
) -> Result<Option<UserRow>, AppError> {
    let user = sqlx::query_as!(
        UserRow,
        "select id, email, role, password_hash, is_active, session_epoch
         from users where lower(email) = $1",
        email_key,
    )
    .fetch_optional(pool)
    .await?;
    let matches = password::verify(
        password.to_owned(),
        user.as_ref().map(|user| user.password_hash.clone()),
    )
    .await?;
    Ok(user.filter(|_| matches))
}

/// The user a session names, if the session is still valid: the account is
/// active and nothing (password change, reset, deactivation, role change)
/// has ended its sessions since. Records activity at most hourly.
pub async fn user_for_session(
    pool: &PgPool,
    user_id: Uuid,
    session_epoch: i32,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    // One round trip: the lookup, and the activity stamp only when the last
    // one is over an hour old (so most requests write nothing).
    let user = sqlx::query_as!(
        UserRow,
        r#"with valid as (
             select id, email, role, password_hash, is_active, session_epoch, last_seen_at
             from users where id = $1 and is_active and session_epoch = $2
         ), seen as (
             update users set last_seen_at = now()
             from valid
             where users.id = valid.id
               and (valid.last_seen_at is null or valid.last_seen_at < now() - interval '1 hour')
         )
         select id as "id!", email as "email!", role as "role!", password_hash as "password_hash!",
                is_active as "is_active!", session_epoch as "session_epoch!"
         from valid"#,
        user_id,
        session_epoch,
    )
    .fetch_optional(pool)
    .await?;
    Ok(user.map(|user| user.current_user()))
}

async fn stored_hash(pool: &PgPool, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "select password_hash from users where id = $1 and is_active",
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// Sets a new password after checking the current one, and ends every
/// session of the user; returns the new session epoch for the session that
/// made the change, which stays signed in.
pub async fn change_password(
    pool: &PgPool,
    user_id: Uuid,
    current_password: &str,
    new_password: &str,
    confirmation: &str,
) -> Result<i32, AppError> {
    let mut errors = FormErrors::new();
    let current_ok = password::verify(
        current_password.to_owned(),
        stored_hash(pool, user_id).await?,
    )
    .await?;
    if !current_ok {
        errors.add("current_password", "This is not your current password.");
    }
    check_new_password_pair(
        &mut errors,
        "new_password",
        new_password,
        "new_password_confirmation",
        confirmation,
    );
    if errors.is_empty() && current_password == new_password {
        errors.add(
            "new_password",
            "Choose a password different from the current one.",
        );
    }
    errors.into_result()?;

    let new_hash = password::hash(new_password.to_owned()).await?;
    let epoch = sqlx::query_scalar!(
        "update users set password_hash = $2, session_epoch = session_epoch + 1
         where id = $1 returning session_epoch",
        user_id,
        new_hash,
    )
    .fetch_one(pool)
    .await?;
    Ok(epoch)
}

/// Deactivates the account (data is kept for analytics) and ends every session.
pub async fn deactivate(pool: &PgPool, user_id: Uuid, password: &str) -> Result<(), AppError> {
    if !password::verify(password.to_owned(), stored_hash(pool, user_id).await?).await? {
        return Err(AppError::invalid(
            FormErrors::new().with("password", "This is not your current password."),
        ));
    }
    sqlx::query!(
        "update users set is_active = false, session_epoch = session_epoch + 1 where id = $1",
        user_id,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A valid hash of a random secret nobody is told: accounts given it (demo
/// learners) exist, but nobody can log into them.
pub async fn unusable_password_hash() -> Result<String, AppError> {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    Ok(password::hash(URL_SAFE_NO_PAD.encode(secret)).await?)
}

/// A reset link's secret, and what the database keeps of it.
fn new_reset_token() -> (String, Vec<u8>) {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let token = URL_SAFE_NO_PAD.encode(secret);
    let digest = token_digest(&token);
    (token, digest)
}

fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// For an active account with this email, stores a new single-use reset
/// token (only its hash) and returns the address and the token to send.
/// `None` for anything else; the caller answers the same either way.
///
/// Throttled per email (counted whether or not an account has it, so the
/// refusal reveals nothing either) and per client address.
pub async fn start_password_reset(
    pool: &PgPool,
    email_input: &str,
    client_address: &str,
) -> Result<Option<(String, String)>, AppError> {
    let email = parse_email(email_input)
        .map_err(|message| AppError::invalid(FormErrors::new().with("email", message)))?;
    let reservation = throttle::reserve(
        pool,
        Action::PasswordReset,
        &email.to_lowercase(),
        client_address,
    )
    .await?;
    if let Reservation::Refused(refused) = reservation {
        let message = match refused {
            Refused::Email(_) => format!(
                "A reset link for this email was asked for several times in the last hour. \
                 If an account exists for it, the link is in its inbox (check the spam folder too). \
                 You can ask for another in {}.",
                refused.readable_wait()
            ),
            Refused::Client(_) => format!(
                "Too many reset links were asked for from your network in the last hour. Try again in {}.",
                refused.readable_wait()
            ),
        };
        return Err(AppError::LimitReached(message).with_status());
    }
    let user = sqlx::query!(
        "select id, email from users where lower(email) = lower($1) and is_active",
        email,
    )
    .fetch_optional(pool)
    .await?;
    let Some(user) = user else {
        return Ok(None);
    };
    let (user_id, address) = (user.id, user.email);
    let (token, digest) = new_reset_token();
    sqlx::query!(
        "insert into password_reset_tokens (user_id, token_hash, expires_at)
         values ($1, $2, now() + make_interval(secs => $3))",
        user_id,
        digest,
        RESET_TOKEN_LIFETIME.as_secs_f64(),
    )
    .execute(pool)
    .await?;
    Ok(Some((address, token)))
}

/// Uses a reset token (once, within its hour) to set a new password, and
/// ends every session of that user. A refused password leaves the token usable.
pub async fn finish_password_reset(
    pool: &PgPool,
    token: &str,
    new_password: &str,
    confirmation: &str,
) -> Result<(), AppError> {
    let mut errors = FormErrors::new();
    check_new_password_pair(
        &mut errors,
        "new_password",
        new_password,
        "new_password_confirmation",
        confirmation,
    );
    errors.into_result()?;
    let new_hash = password::hash(new_password.to_owned()).await?;

    let mut transaction = pool.begin().await?;
    let user_id = sqlx::query_scalar!(
        "update password_reset_tokens set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning user_id",
        token_digest(token.trim()),
    )
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(user_id) = user_id else {
        return Err(AppError::invalid(FormErrors::form(
            "This reset link is invalid, already used or expired. Ask for a new one.",
        )));
    };
    let updated = sqlx::query!(
        "update users set password_hash = $2, session_epoch = session_epoch + 1
         where id = $1 and is_active",
        user_id,
        new_hash,
    )
    .execute(&mut *transaction)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::invalid(FormErrors::form(
            "This account has been deactivated. Contact support if you want it back.",
        )));
    }
    // Any other outstanding link for this account is void now.
    sqlx::query!(
        "update password_reset_tokens set used_at = now() where user_id = $1 and used_at is null",
        user_id,
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Gives an existing account the admin role; its sessions end, so the new
/// privilege starts with a fresh login. False when there is no such account.
pub async fn make_admin(pool: &PgPool, email_input: &str) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "update users set role = 'admin', session_epoch = session_epoch + 1
         where lower(email) = lower($1)",
        email_input.trim(),
    )
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// Removes rows that no longer matter: old login failures and other
/// throttled attempts, spent tokens.
pub async fn delete_expired(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_failures where failed_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    sqlx::query!("delete from password_reset_tokens where expires_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    sqlx::query!("delete from throttled_attempts where attempted_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests;
