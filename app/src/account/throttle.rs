//! Limits on what a stranger can ask for in bulk: logins, sign-ups and
//! password-reset emails, counted per email and per client address.
//! Server-only.
//!
//! An attempt is reserved before the work it allows (an argon2 hash, an
//! email): counting the recent attempts and recording this one happen in one
//! transaction that holds advisory locks on the email and on the client
//! address. Checking first and recording afterwards let a parallel burst
//! through, because every request of the burst checked before any recorded.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};

/// What a throttle guards, besides logins (which have their own table,
/// because a successful login clears its account's failures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignUp,
    PasswordReset,
}

/// How many attempts the window allows per email and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub window: Duration,
    pub per_email: i64,
    pub per_client: i64,
}

/// Failed logins (and logins being checked) per account and per client
/// address. A client address gets more: many people can share one (an
/// office, a campus).
pub const LOGIN: Limits = Limits {
    window: Duration::from_secs(15 * 60),
    per_email: 5,
    per_client: 20,
};

/// Each sign-up hashes a password at 19 MiB. Three tries per address cover
/// typos in the password pair; ten per client address leave room for a few
/// people behind one address (a classroom) without making the server an
/// argon2 service.
pub const SIGN_UP: Limits = Limits {
    window: Duration::from_secs(60 * 60),
    per_email: 3,
    per_client: 10,
};

/// Each request may send an email. Three per address per hour is enough for
/// "it did not arrive, send it again" and too few to flood an inbox; a
/// client may ask for more addresses, as one may for sign-ups.
pub const PASSWORD_RESET: Limits = Limits {
    window: Duration::from_secs(60 * 60),
    per_email: 3,
    per_client: 10,
};

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::SignUp => "sign_up",
            Action::PasswordReset => "password_reset",
        }
    }

    pub fn limits(self) -> Limits {
        match self {
            Action::SignUp => SIGN_UP,
            Action::PasswordReset => PASSWORD_RESET,
        }
    }
}

/// Which limit turned an attempt away, and how long until it lets one in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Email(Duration),
    Client(Duration),
}

impl Refused {
    pub fn wait(self) -> Duration {
        match self {
            Refused::Email(wait) | Refused::Client(wait) => wait,
        }
    }

    /// The wait in whole minutes, rounded up, at least 1.
    pub fn minutes(self) -> i64 {
        (self.wait().as_secs().div_ceil(60) as i64).max(1)
    }

    /// "1 minute", "14 minutes".
    pub fn readable_wait(self) -> String {
        match self.minutes() {
            1 => "1 minute".to_owned(),
            minutes => format!("{minutes} minutes"),
        }
    }
}

/// The outcome of asking for an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Recorded; the id of the attempt's row.
    Reserved(i64),
    Refused(Refused),
}

/// Holds, until the transaction ends, the locks that make attempts on this
/// email and from this client address count one at a time. Each throttle's
/// email and client locks live in their own key space (the first key), and
/// the email lock is always taken first, so two transactions can never each
/// hold a lock the other waits for.
async fn lock_keys(
    connection: &mut PgConnection,
    throttle: &str,
    email_key: &str,
    client_address: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtext($1 || ':email'), hashtext($2))",
        throttle,
        email_key,
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtext($1 || ':client'), hashtext($2))",
        throttle,
        client_address,
    )
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// The limit that is reached, from the seconds until each lets one in.
/// Counted for operators: a rise in client refusals is an attack or a proxy
/// whose visitors all share one address.
fn count_refusal(action: &'static str, refused: Refused) {
    let limit = match refused {
        Refused::Email(_) => "email",
        Refused::Client(_) => "client",
    };
    metrics::counter!("throttle_refusals_total", "action" => action, "limit" => limit).increment(1);
}

fn refusal(email_wait: Option<f64>, client_wait: Option<f64>) -> Option<Refused> {
    let positive = |seconds: Option<f64>| {
        seconds
            .filter(|seconds| *seconds > 0.0)
            .map(Duration::from_secs_f64)
    };
    match (positive(email_wait), positive(client_wait)) {
        (Some(email), Some(client)) if client > email => Some(Refused::Client(client)),
        (Some(email), _) => Some(Refused::Email(email)),
        (None, Some(client)) => Some(Refused::Client(client)),
        (None, None) => None,
    }
}

/// Whether the client is this machine: a developer, the browser tests, or a
/// reverse proxy on the same host. Behind such a proxy every visitor has its
/// address, and a per-client limit on sign-ups or reset emails would be one
/// limit for the whole site, which anybody could use up to lock everyone
/// out. Such clients are limited per email only. (Logins keep their
/// per-client limit there, as they always had.)
fn is_this_machine(client_address: &str) -> bool {
    client_address
        .parse::<std::net::IpAddr>()
        .is_ok_and(|address| address.is_loopback())
}

/// Reserves a sign-up or a password-reset request, unless a limit is reached.
pub async fn reserve(
    pool: &PgPool,
    action: Action,
    email_key: &str,
    client_address: &str,
) -> Result<Reservation, sqlx::Error> {
    let limits = action.limits();
    let mut transaction = pool.begin().await?;
    lock_keys(&mut transaction, action.as_str(), email_key, client_address).await?;
    // A limit lifts when the N-th most recent attempt leaves the window.
    let waits = sqlx::query!(
        r#"
        select
            extract(epoch from
                (select attempted_at from throttled_attempts
                 where action = $1 and email_key = $2
                   and attempted_at > now() - make_interval(secs => $4)
                 order by attempted_at desc offset $5::int8 - 1 limit 1)
                + make_interval(secs => $4) - now())::float8 as email_wait,
            extract(epoch from
                (select attempted_at from throttled_attempts
                 where action = $1 and client_address = $3
                   and attempted_at > now() - make_interval(secs => $4)
                 order by attempted_at desc offset $6::int8 - 1 limit 1)
                + make_interval(secs => $4) - now())::float8 as client_wait
        "#,
        action.as_str(),
        email_key,
        client_address,
        limits.window.as_secs_f64(),
        limits.per_email,
        limits.per_client,
    )
    .fetch_one(&mut *transaction)
    .await?;
    let email_wait = waits.email_wait;
    let client_wait = waits
        .client_wait
        .filter(|_| !is_this_machine(client_address));
    if let Some(refused) = refusal(email_wait, client_wait) {
        count_refusal(action.as_str(), refused);
        return Ok(Reservation::Refused(refused));
    }
    let id = sqlx::query_scalar!(
        "insert into throttled_attempts (action, email_key, client_address)
         values ($1, $2, $3) returning id",
        action.as_str(),
        email_key,
        client_address,
    )
    .fetch_one(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(Reservation::Reserved(id))
}

/// Reserves a login attempt: a `login_failures` row written before the
/// password is checked. A wrong password leaves it as the failure; the
/// caller removes it otherwise.
pub async fn reserve_login(
    pool: &PgPool,
    email_key: &str,
    client_address: &str,
) -> Result<Reservation, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    lock_keys(&mut transaction, "login", email_key, client_address).await?;
    let waits = sqlx::query!(
        r#"
        select
            extract(epoch from
                (select failed_at from login_failures
                 where email_key = $1 and failed_at > now() - make_interval(secs => $3)
                 order by failed_at desc offset $4::int8 - 1 limit 1)
                + make_interval(secs => $3) - now())::float8 as email_wait,
            extract(epoch from
                (select failed_at from login_failures
                 where client_address = $2 and failed_at > now() - make_interval(secs => $3)
                 order by failed_at desc offset $5::int8 - 1 limit 1)
                + make_interval(secs => $3) - now())::float8 as client_wait
        "#,
        email_key,
        client_address,
        LOGIN.window.as_secs_f64(),
        LOGIN.per_email,
        LOGIN.per_client,
    )
    .fetch_one(&mut *transaction)
    .await?;
    if let Some(refused) = refusal(waits.email_wait, waits.client_wait) {
        count_refusal("login", refused);
        return Ok(Reservation::Refused(refused));
    }
    let id = sqlx::query_scalar!(
        "insert into login_failures (email_key, client_address) values ($1, $2) returning id",
        email_key,
        client_address,
    )
    .fetch_one(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(Reservation::Reserved(id))
}

/// Takes back a login attempt that turned out not to be a failure to count
/// (a deactivated account's right password, an internal error).
pub async fn forget_login(pool: &PgPool, attempt_id: i64) {
    if let Err(error) = sqlx::query!("delete from login_failures where id = $1", attempt_id)
        .execute(pool)
        .await
    {
        tracing::error!(%error, "a reserved login attempt could not be taken back");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_wait_is_the_one_reported() {
        assert_eq!(refusal(None, None), None);
        assert_eq!(refusal(Some(-3.0), Some(0.0)), None);
        assert_eq!(
            refusal(Some(60.0), None),
            Some(Refused::Email(Duration::from_secs(60)))
        );
        assert_eq!(
            refusal(Some(60.0), Some(120.0)),
            Some(Refused::Client(Duration::from_secs(120)))
        );
        assert_eq!(
            refusal(Some(120.0), Some(60.0)),
            Some(Refused::Email(Duration::from_secs(120)))
        );
    }

    #[test]
    fn only_loopback_addresses_are_this_machine() {
        assert!(is_this_machine("127.0.0.1"));
        assert!(is_this_machine("::1"));
        assert!(!is_this_machine("10.0.0.1"));
        assert!(!is_this_machine("2001:db8::1"));
        assert!(!is_this_machine("unknown"));
    }

    #[test]
    fn waits_round_up_to_whole_minutes() {
        assert_eq!(
            Refused::Email(Duration::from_secs(1)).readable_wait(),
            "1 minute"
        );
        assert_eq!(Refused::Email(Duration::from_secs(61)).minutes(), 2);
        assert_eq!(
            Refused::Client(Duration::from_secs(14 * 60)).readable_wait(),
            "14 minutes"
        );
    }
}
