//! Account rules against PostgreSQL: a fresh, migrated database per test.

use super::*;

const PASSWORD: &str = "a sturdy passphrase";

async fn registered(pool: &PgPool, email: &str) -> SignedIn {
    register(pool, email, PASSWORD, PASSWORD).await.unwrap()
}

fn field_error(result: Result<impl std::fmt::Debug, AppError>, field: &str) -> String {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .field(field)
            .unwrap_or_else(|| panic!("no error for {field}: {errors:?}")),
        other => panic!("expected a form error, got {other:?}"),
    }
}

fn form_message(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::Invalid(errors)) => errors.message.expect("a form-level message"),
        other => panic!("expected a form error, got {other:?}"),
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn registration_writes_user_profile_and_first_snapshot_together(pool: PgPool) {
    let signed_in = registered(&pool, "  Ada@Example.test ").await;
    assert_eq!(signed_in.user.email, "Ada@Example.test");
    assert_eq!(signed_in.user.role, Role::Learner);

    let (version, snapshot_version, interests): (i32, i32, serde_json::Value) = sqlx::query_as(
        "select p.version, s.version, s.interests_snapshot
         from user_profiles p join user_profile_snapshots s on s.user_profile_id = p.id
         where p.user_id = $1",
    )
    .bind(signed_in.user.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((version, snapshot_version), (1, 1));
    assert_eq!(interests, serde_json::json!([]));
    let stored: String = sqlx::query_scalar("select password_hash from users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"));
    assert!(!stored.contains(PASSWORD));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failed_registration_writes_nothing(pool: PgPool) {
    registered(&pool, "taken@example.test").await;
    let message = field_error(
        register(&pool, "TAKEN@example.TEST", PASSWORD, PASSWORD).await,
        "email",
    );
    assert!(message.contains("already exists"), "{message}");
    assert!(
        field_error(
            register(&pool, "not-an-email", PASSWORD, PASSWORD).await,
            "email"
        )
        .contains("valid email")
    );
    assert!(
        field_error(
            register(&pool, "new@example.test", "short", "short").await,
            "password"
        )
        .contains("at least 8")
    );
    assert!(
        field_error(
            register(&pool, "new@example.test", "password", "password").await,
            "password"
        )
        .contains("commonly used")
    );
    assert!(
        field_error(
            register(&pool, "new@example.test", PASSWORD, "something else").await,
            "password_confirmation"
        )
        .contains("do not match")
    );

    assert_eq!(count(&pool, "select count(*) from users").await, 1);
    assert_eq!(count(&pool, "select count(*) from user_profiles").await, 1);
    assert_eq!(
        count(&pool, "select count(*) from user_profile_snapshots").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_email_and_wrong_password_get_the_same_answer(pool: PgPool) {
    registered(&pool, "known@example.test").await;
    let wrong_password =
        form_message(authenticate(&pool, "known@example.test", "not it at all", "10.0.0.1").await);
    let unknown_email =
        form_message(authenticate(&pool, "nobody@example.test", "not it at all", "10.0.0.1").await);
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password, "Email or password is incorrect.");

    let signed_in = authenticate(&pool, " KNOWN@example.test", PASSWORD, "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(signed_in.user.email, "known@example.test");
}

#[sqlx::test(migrations = "../migrations")]
async fn repeated_failures_are_throttled_per_account_and_expire(pool: PgPool) {
    registered(&pool, "target@example.test").await;
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        let _ = authenticate(&pool, "target@example.test", "guess guess", "10.0.0.2").await;
    }
    // Even the right password is refused while the account is throttled.
    let refused = authenticate(&pool, "target@example.test", PASSWORD, "10.0.0.3").await;
    match refused {
        Err(AppError::TooManyAttempts {
            retry_after_minutes,
        }) => {
            assert!(
                (14..=15).contains(&retry_after_minutes),
                "{retry_after_minutes}"
            )
        }
        other => panic!("expected throttling, got {other:?}"),
    }

    // Once the failures are older than the window, logging in works again.
    sqlx::query("update login_failures set failed_at = failed_at - interval '16 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    authenticate(&pool, "target@example.test", PASSWORD, "10.0.0.3")
        .await
        .unwrap();
    assert_eq!(
        count(
            &pool,
            "select count(*) from login_failures where email_key = 'target@example.test'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn one_client_guessing_many_accounts_is_throttled(pool: PgPool) {
    registered(&pool, "victim@example.test").await;
    for attempt in 0..MAX_FAILURES_PER_CLIENT {
        let _ = authenticate(
            &pool,
            &format!("user{attempt}@example.test"),
            "guess guess",
            "10.9.9.9",
        )
        .await;
    }
    assert!(matches!(
        authenticate(&pool, "victim@example.test", PASSWORD, "10.9.9.9").await,
        Err(AppError::TooManyAttempts { .. })
    ));
    // Another address is not affected.
    authenticate(&pool, "victim@example.test", PASSWORD, "10.1.1.1")
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn deactivated_accounts_cannot_log_in_and_lose_their_sessions(pool: PgPool) {
    let signed_in = registered(&pool, "leaving@example.test").await;
    let user_id = signed_in.user.id;
    assert!(
        user_for_session(&pool, user_id, signed_in.session_epoch)
            .await
            .unwrap()
            .is_some()
    );

    assert!(
        field_error(
            deactivate(&pool, user_id, "wrong password").await,
            "password"
        )
        .contains("not your current")
    );
    deactivate(&pool, user_id, PASSWORD).await.unwrap();

    assert!(
        user_for_session(&pool, user_id, signed_in.session_epoch)
            .await
            .unwrap()
            .is_none()
    );
    let message =
        form_message(authenticate(&pool, "leaving@example.test", PASSWORD, "10.0.0.4").await);
    assert!(message.contains("deactivated"), "{message}");
    // The data stays for analytics.
    assert_eq!(
        count(&pool, "select count(*) from user_profile_snapshots").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_password_ends_other_sessions(pool: PgPool) {
    let signed_in = registered(&pool, "changer@example.test").await;
    let user_id = signed_in.user.id;
    let new_password = "an even sturdier passphrase";

    assert!(
        field_error(
            change_password(&pool, user_id, "wrong", new_password, new_password).await,
            "current_password"
        )
        .contains("not your current")
    );
    assert!(
        field_error(
            change_password(&pool, user_id, PASSWORD, PASSWORD, PASSWORD).await,
            "new_password"
        )
        .contains("different")
    );

    let new_epoch = change_password(&pool, user_id, PASSWORD, new_password, new_password)
        .await
        .unwrap();
    assert_ne!(new_epoch, signed_in.session_epoch);
    assert!(
        user_for_session(&pool, user_id, signed_in.session_epoch)
            .await
            .unwrap()
            .is_none(),
        "old sessions end"
    );
    assert!(
        user_for_session(&pool, user_id, new_epoch)
            .await
            .unwrap()
            .is_some(),
        "this session goes on"
    );
    assert!(
        authenticate(&pool, "changer@example.test", PASSWORD, "10.0.0.5")
            .await
            .is_err()
    );
    authenticate(&pool, "changer@example.test", new_password, "10.0.0.5")
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn reset_tokens_are_hashed_single_use_and_expire(pool: PgPool) {
    let signed_in = registered(&pool, "forgetful@example.test").await;
    assert_eq!(
        start_password_reset(&pool, "stranger@example.test", "10.0.0.6")
            .await
            .unwrap(),
        None
    );

    let (address, token) = start_password_reset(&pool, "FORGETFUL@example.test", "10.0.0.6")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(address, "forgetful@example.test");
    assert!(token.len() >= 43, "at least 256 bits, base64url");
    let stored: Vec<u8> = sqlx::query_scalar("select token_hash from password_reset_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes(), "only a hash is stored");

    // A refused password does not use up the token.
    assert!(
        field_error(
            finish_password_reset(&pool, &token, "short", "short").await,
            "new_password"
        )
        .contains("at least 8")
    );
    let new_password = "remembered at last";
    finish_password_reset(&pool, &token, new_password, new_password)
        .await
        .unwrap();
    assert!(
        user_for_session(&pool, signed_in.user.id, signed_in.session_epoch)
            .await
            .unwrap()
            .is_none(),
        "sessions end"
    );
    authenticate(&pool, "forgetful@example.test", new_password, "10.0.0.6")
        .await
        .unwrap();

    let reused = form_message(
        finish_password_reset(&pool, &token, "yet another one", "yet another one").await,
    );
    assert!(
        reused.contains("invalid, already used or expired"),
        "{reused}"
    );

    let (_, expiring) = start_password_reset(&pool, "forgetful@example.test", "10.0.0.6")
        .await
        .unwrap()
        .unwrap();
    sqlx::query("update password_reset_tokens set expires_at = now() - interval '1 second' where used_at is null")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        finish_password_reset(&pool, &expiring, "yet another one", "yet another one")
            .await
            .is_err()
    );
    assert!(
        finish_password_reset(&pool, "made-up-token", "yet another one", "yet another one")
            .await
            .is_err()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn making_an_admin_ends_their_sessions(pool: PgPool) {
    let signed_in = registered(&pool, "boss@example.test").await;
    assert!(!make_admin(&pool, "nobody@example.test").await.unwrap());
    assert!(make_admin(&pool, "BOSS@example.test").await.unwrap());
    assert!(
        user_for_session(&pool, signed_in.user.id, signed_in.session_epoch)
            .await
            .unwrap()
            .is_none()
    );
    let again = authenticate(&pool, "boss@example.test", PASSWORD, "10.0.0.7")
        .await
        .unwrap();
    assert_eq!(again.user.role, Role::Admin);
}

// --- limits that must hold for parallel bursts, not only one by one ---

/// Runs `count` copies of an attempt at once, each given its number.
async fn burst<T, F>(count: usize, attempt: impl Fn(usize) -> F) -> Vec<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let mut attempts = tokio::task::JoinSet::new();
    for number in 0..count {
        attempts.spawn(attempt(number));
    }
    attempts.join_all().await
}

/// How many answers were the wrong-credentials message, and how many were
/// throttling.
fn tally_logins(answers: &[Result<SignedIn, AppError>]) -> (usize, usize) {
    let mut wrong = 0;
    let mut throttled = 0;
    for answer in answers {
        match answer {
            Err(AppError::Invalid(errors))
                if errors.message.as_deref() == Some(WRONG_CREDENTIALS) =>
            {
                wrong += 1
            }
            Err(AppError::TooManyAttempts { .. }) => throttled += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    (wrong, throttled)
}

/// The limit-reached messages among `answers`; panics on anything but
/// success or a limit.
fn limit_messages<T: std::fmt::Debug>(answers: &[Result<T, AppError>]) -> Vec<String> {
    answers
        .iter()
        .filter_map(|answer| match answer {
            Ok(_) => None,
            Err(AppError::LimitReached(message)) => Some(message.clone()),
            Err(other) => panic!("unexpected error {other:?}"),
        })
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_parallel_burst_of_guesses_is_held_to_the_account_limit(pool: PgPool) {
    registered(&pool, "burst@example.test").await;
    let answers = burst(30, |number| {
        let pool = pool.clone();
        async move {
            authenticate(
                &pool,
                "burst@example.test",
                "guess guess",
                &format!("10.2.0.{number}"),
            )
            .await
        }
    })
    .await;
    assert_eq!(
        tally_logins(&answers),
        (
            MAX_FAILURES_PER_ACCOUNT as usize,
            30 - MAX_FAILURES_PER_ACCOUNT as usize
        )
    );
    assert_eq!(
        count(&pool, "select count(*) from login_failures").await,
        MAX_FAILURES_PER_ACCOUNT
    );
    assert!(matches!(
        authenticate(&pool, "burst@example.test", PASSWORD, "10.3.0.1").await,
        Err(AppError::TooManyAttempts { .. })
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_parallel_burst_from_one_client_is_held_to_the_client_limit(pool: PgPool) {
    let answers = burst(30, |number| {
        let pool = pool.clone();
        async move {
            authenticate(
                &pool,
                &format!("user{number}@example.test"),
                "guess guess",
                "10.4.0.1",
            )
            .await
        }
    })
    .await;
    assert_eq!(
        tally_logins(&answers),
        (
            MAX_FAILURES_PER_CLIENT as usize,
            30 - MAX_FAILURES_PER_CLIENT as usize
        )
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_right_password_still_works_after_a_few_failures(pool: PgPool) {
    registered(&pool, "typo@example.test").await;
    for _ in 0..MAX_FAILURES_PER_ACCOUNT - 1 {
        let _ = authenticate(&pool, "typo@example.test", "a typo here", "10.5.0.1").await;
    }
    authenticate(&pool, "typo@example.test", PASSWORD, "10.5.0.1")
        .await
        .unwrap();
    assert_eq!(count(&pool, "select count(*) from login_failures").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_parallel_burst_of_sign_ups_from_one_client_is_held_to_the_limit(pool: PgPool) {
    let answers = burst(25, |number| {
        let pool = pool.clone();
        async move {
            sign_up(
                &pool,
                &format!("new{number}@example.test"),
                PASSWORD,
                PASSWORD,
                "10.6.0.1",
            )
            .await
        }
    })
    .await;
    let refused = limit_messages(&answers);
    let allowed = throttle::SIGN_UP.per_client as usize;
    assert_eq!(refused.len(), 25 - allowed);
    assert!(
        refused[0].contains("from your network") && refused[0].contains("minutes"),
        "{}",
        refused[0]
    );
    assert_eq!(
        count(&pool, "select count(*) from users").await,
        allowed as i64
    );
    // Another address is not affected.
    sign_up(
        &pool,
        "elsewhere@example.test",
        PASSWORD,
        PASSWORD,
        "10.6.0.2",
    )
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn this_machine_is_limited_per_email_only(pool: PgPool) {
    // A proxy on the same host, or the browser tests: one address for all.
    let allowed = throttle::SIGN_UP.per_client;
    for number in 0..=allowed {
        sign_up(
            &pool,
            &format!("local{number}@example.test"),
            PASSWORD,
            PASSWORD,
            "127.0.0.1",
        )
        .await
        .unwrap();
    }
    for number in 0..=throttle::PASSWORD_RESET.per_client {
        start_password_reset(&pool, &format!("local{number}@example.test"), "::1")
            .await
            .unwrap();
    }
    for _ in 0..throttle::PASSWORD_RESET.per_email - 1 {
        start_password_reset(&pool, "local0@example.test", "::1")
            .await
            .unwrap();
    }
    assert!(matches!(
        start_password_reset(&pool, "local0@example.test", "::1").await,
        Err(AppError::LimitReached(_))
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_ups_are_limited_per_email_but_form_mistakes_are_free(pool: PgPool) {
    // Refused before the throttle: no hash was needed to find these wrong.
    for _ in 0..5 {
        field_error(
            sign_up(&pool, "same@example.test", "short", "short", "10.7.0.1").await,
            "password",
        );
    }
    sign_up(&pool, "same@example.test", PASSWORD, PASSWORD, "10.7.0.1")
        .await
        .unwrap();
    for client in ["10.7.0.2", "10.7.0.3"] {
        field_error(
            sign_up(&pool, "SAME@example.test", PASSWORD, PASSWORD, client).await,
            "email",
        );
    }
    match sign_up(&pool, "same@example.test", PASSWORD, PASSWORD, "10.7.0.4").await {
        Err(AppError::LimitReached(message)) => {
            assert!(message.contains("with this email address"), "{message}")
        }
        other => panic!("expected the per-email limit, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn reset_requests_are_limited_per_email_alike_for_unknown_addresses(pool: PgPool) {
    registered(&pool, "known@example.test").await;
    let mut refusals = Vec::new();
    for email in ["known@example.test", "unknown@example.test"] {
        let answers = burst(12, |number| {
            let pool = pool.clone();
            async move { start_password_reset(&pool, email, &format!("10.8.0.{number}")).await }
        })
        .await;
        let refused = limit_messages(&answers);
        assert_eq!(
            refused.len(),
            12 - throttle::PASSWORD_RESET.per_email as usize,
            "{email}"
        );
        refusals.push(refused[0].clone());
    }
    assert_eq!(
        count(&pool, "select count(*) from password_reset_tokens").await,
        throttle::PASSWORD_RESET.per_email
    );
    // The refusal tells nothing about whether an account exists.
    assert_eq!(refusals[0], refusals[1]);
    assert!(
        refusals[0].contains("If an account exists"),
        "{}",
        refusals[0]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_parallel_burst_of_reset_requests_from_one_client_is_held_to_the_limit(pool: PgPool) {
    let answers = burst(25, |number| {
        let pool = pool.clone();
        async move {
            start_password_reset(&pool, &format!("someone{number}@example.test"), "10.9.0.1").await
        }
    })
    .await;
    let refused = limit_messages(&answers);
    assert_eq!(
        refused.len(),
        25 - throttle::PASSWORD_RESET.per_client as usize
    );
    assert!(refused[0].contains("from your network"), "{}", refused[0]);
    assert_eq!(
        count(
            &pool,
            "select count(*) from throttled_attempts where action = 'password_reset'"
        )
        .await,
        throttle::PASSWORD_RESET.per_client
    );
}
