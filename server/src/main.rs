//! The AcmeLearn server binary: parse the command line, connect, migrate, and
//! run the chosen subcommand (`serve` by default).

mod admin_export;
mod config;
mod control_characters;
mod csrf;
mod database;
mod form_redirects;
mod health;
mod import_catalog;
mod offline;
mod page_cache;
mod read_replica;
mod request_id;
mod security_headers;
mod seed_courses;
mod seed_demo;
mod serve;
mod session_cache;
mod session_store;
mod shutdown;
mod signed_in_pages;
mod task_owner;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use config::{Cli, Command, LogFormat, ServeConfig};

// Server-side rendering allocates many short-lived strings: glibc's malloc
// took ~20 % of server CPU under load; with mimalloc the catalog benchmark
// served 5–10 % more requests per second.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Everything that can stop the server binary; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "DATABASE_URL is not set (e.g. postgres://user@localhost/acmelearn); `make run` sets it for you"
    )]
    NoDatabaseUrl,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("catalog import failed: {0}")]
    Import(#[from] import_catalog::ImportError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("email: {0}")]
    Mail(#[from] app::account::mail::MailError),
    #[error("no account with the email {0}; sign up first, then run create-admin again")]
    NoSuchAccount(String),
    #[error(
        "the catalog has too few tags and skills to build courses from; run import-catalog first"
    )]
    EmptyCatalog,
    #[error("configuration: {0}")]
    Config(String),
    #[error(
        "{learners} demo learners of seed {seed} exist already; run `seed-demo --purge` first, or use another --seed"
    )]
    DemoExists { seed: u64, learners: i64 },
    #[error("demo data: {0}")]
    Demo(#[from] app::admin::demo::DemoError),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        // Every span a line was written in goes with it (`spans`, outermost
        // first): the request's (its id, method and path) and any inside it.
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .with_env_filter(filter)
            .init(),
    }
    // Work Leptos spawns while rendering a page runs in that request's span.
    request_id::spawn_in_request_span();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), ServerError> {
    let pool = database::connect(&cli.database).await?;
    database::migrate(&pool).await?;

    match cli.command {
        Some(Command::Migrate) => {
            println!("migrations applied");
            Ok(())
        }
        Some(Command::ImportCatalog(import)) => {
            let categories = import.categories.or_else(|| {
                let beside = import.file.with_file_name("tag_categories.json");
                beside.exists().then_some(beside)
            });
            let summary =
                import_catalog::import_file(&pool, &import.file, categories.as_deref()).await?;
            println!("{summary}");
            Ok(())
        }
        Some(Command::CreateAdmin { email }) => {
            if app::account::service::make_admin(&pool, &email).await? {
                println!(
                    "{email} is now an admin; their sessions were ended, so they log in again"
                );
                Ok(())
            } else {
                Err(ServerError::NoSuchAccount(email))
            }
        }
        Some(Command::SeedCourses { count, seed }) => {
            let written = seed_courses::seed_courses(&pool, count, seed).await?;
            println!("{written} generated courses added");
            Ok(())
        }
        Some(Command::SeedDemo { purge: true, .. }) => {
            let removed = seed_demo::purge(&pool).await?;
            println!("{removed} demo learners removed");
            Ok(())
        }
        Some(Command::SeedDemo {
            users, days, seed, ..
        }) => {
            let started = std::time::Instant::now();
            let seeded = seed_demo::seed_demo(&pool, users, days, seed).await?;
            println!(
                "{} demo learners, {} profile versions, {} recommendations written in {:.1} s; analytics refreshed in {:.1} s",
                seeded.learners,
                seeded.snapshots,
                seeded.recommendations,
                started.elapsed().as_secs_f64() - f64::from(seeded.analytics_ms) / 1000.0,
                f64::from(seeded.analytics_ms) / 1000.0
            );
            Ok(())
        }
        Some(Command::Serve(serve)) => serve::serve(pool, *serve).await,
        None => serve::serve(pool, ServeConfig::from_environment()).await,
    }
}
