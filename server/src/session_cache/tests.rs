use std::collections::HashMap;

use sqlx::PgPool;
use tokio::sync::Semaphore;
use tower_sessions::cookie::time;
use tower_sessions_sqlx_store::PostgresStore;

use super::*;

async fn postgres_store(pool: &PgPool) -> PostgresStore {
    let store = PostgresStore::new(pool.clone());
    store.migrate().await.unwrap();
    store
}

fn record(lasting: time::Duration) -> Record {
    Record {
        id: Id::default(),
        data: HashMap::from([("user_id".to_owned(), serde_json::json!("someone"))]),
        expiry_date: OffsetDateTime::now_utc() + lasting,
    }
}

/// Deletes a session behind the cache's back, as another server would.
async fn delete_elsewhere(pool: &PgPool, id: &Id) {
    sqlx::query("delete from tower_sessions.session where id = $1")
        .bind(id.to_string())
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrations = false)]
async fn a_session_read_recently_is_answered_from_memory_until_its_lifetime_ends(pool: PgPool) {
    let clock = app::expiring_cache::Clock::stopped();
    let sessions = RecentSessions::new(postgres_store(&pool).await, Duration::from_secs(10))
        .with_clock(clock.clone());
    let mut session = record(time::Duration::days(1));
    sessions.create(&mut session).await.unwrap();
    assert_eq!(
        sessions.load(&session.id).await.unwrap(),
        Some(session.clone())
    );

    delete_elsewhere(&pool, &session.id).await;
    assert_eq!(
        sessions.load(&session.id).await.unwrap(),
        Some(session.clone()),
        "within its lifetime the kept copy answers"
    );
    clock.advance(Duration::from_secs(10));
    assert_eq!(sessions.load(&session.id).await.unwrap(), None);
}

#[sqlx::test(migrations = false)]
async fn a_session_deleted_here_is_gone_at_once(pool: PgPool) {
    let sessions = RecentSessions::new(postgres_store(&pool).await, LIFETIME);
    let mut session = record(time::Duration::days(1));
    sessions.create(&mut session).await.unwrap();
    assert!(sessions.load(&session.id).await.unwrap().is_some());
    sessions.delete(&session.id).await.unwrap();
    assert_eq!(sessions.load(&session.id).await.unwrap(), None);
}

#[sqlx::test(migrations = false)]
async fn changes_saved_here_are_what_the_next_read_sees(pool: PgPool) {
    let sessions = RecentSessions::new(postgres_store(&pool).await, LIFETIME);
    let mut session = record(time::Duration::days(1));
    sessions.create(&mut session).await.unwrap();
    session
        .data
        .insert("refreshed_on".to_owned(), serde_json::json!(20_000));
    sessions.save(&session).await.unwrap();
    assert_eq!(sessions.load(&session.id).await.unwrap(), Some(session));
}

#[sqlx::test(migrations = false)]
async fn an_expired_session_is_never_answered(pool: PgPool) {
    let sessions = RecentSessions::new(postgres_store(&pool).await, LIFETIME);
    let mut session = record(time::Duration::milliseconds(300));
    sessions.create(&mut session).await.unwrap();
    assert!(sessions.load(&session.id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sessions.load(&session.id).await.unwrap(), None);
}

#[sqlx::test(migrations = false)]
async fn with_no_lifetime_every_read_goes_to_the_store(pool: PgPool) {
    let sessions = RecentSessions::new(postgres_store(&pool).await, Duration::ZERO);
    let mut session = record(time::Duration::days(1));
    sessions.create(&mut session).await.unwrap();
    delete_elsewhere(&pool, &session.id).await;
    assert_eq!(sessions.load(&session.id).await.unwrap(), None);
}

/// A store whose reads pause after reading until the test lets them go.
#[derive(Debug, Clone)]
struct PausingReads {
    store: PostgresStore,
    read_done: Arc<Semaphore>,
    go_on: Arc<Semaphore>,
}

#[async_trait]
impl SessionStore for PausingReads {
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let record = self.store.load(id).await;
        self.read_done.add_permits(1);
        self.go_on.acquire().await.unwrap().forget();
        record
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}

#[sqlx::test(migrations = false)]
async fn a_deletion_during_a_read_is_not_undone_by_it(pool: PgPool) {
    let pausing = PausingReads {
        store: postgres_store(&pool).await,
        read_done: Arc::new(Semaphore::new(0)),
        go_on: Arc::new(Semaphore::new(0)),
    };
    let mut session = record(time::Duration::days(1));
    pausing.store.create(&mut session).await.unwrap();
    let sessions = RecentSessions::new(pausing.clone(), LIFETIME);

    // A read fetches the session from PostgreSQL, then a logout deletes it
    // before the read has finished.
    let read = tokio::spawn({
        let sessions = sessions.clone();
        let id = session.id;
        async move { sessions.load(&id).await.unwrap() }
    });
    pausing.read_done.acquire().await.unwrap().forget();
    sessions.delete(&session.id).await.unwrap();
    pausing.go_on.add_permits(1);
    assert!(
        read.await.unwrap().is_some(),
        "that read began before the logout"
    );

    pausing.go_on.add_permits(1);
    assert_eq!(
        sessions.load(&session.id).await.unwrap(),
        None,
        "the logged-out session must not be answered from memory"
    );
}
