//! Configuration: command-line flags, each with an environment variable and a
//! default, documented in `.env.example` and the README.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "AcmeLearn: the web server and its maintenance commands"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Log lines as human-readable text or as JSON (one object per line).
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, import the catalog and serve the web app (the default).
    Serve(Box<ServeConfig>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import (or re-import) a course catalog file into the database and exit.
    ImportCatalog(ImportConfig),
    /// Add generated courses (titles end in "(generated #N)") for load tests;
    /// import the real catalog first. Never on a database learners use.
    SeedCourses {
        /// How many courses to add.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// The same seed generates the same courses.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Simulated learners (marked as demo, at demo.acmelearn.invalid, unable to
    /// log in) with journeys over the last D days, for the admin dashboard.
    SeedDemo {
        /// How many learners.
        #[arg(long, default_value_t = 1_000)]
        users: usize,
        /// Over how many days up to today their sign-ups and journeys spread.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// The same seed (on the same day) writes the same learners.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Remove every demo learner instead.
        #[arg(long)]
        purge: bool,
    },
    /// Give an existing account the admin role (sign up first), ending its sessions.
    CreateAdmin {
        /// The account's email.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// PostgreSQL connection URL. The database is created when it does not exist.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Largest number of pooled database connections.
    #[arg(
        long,
        env = "DATABASE_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub database_max_connections: u32,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,
    /// Folder holding the built site (the `pkg/` bundle and public files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Course catalog imported at start-up; an empty value skips the import.
    // Text rather than a path: clap refuses an empty path, and empty is how
    // `CATALOG_FILE=` says "no import".
    #[arg(long, env = "CATALOG_FILE", default_value = "data/courses.json")]
    pub catalog_file: String,
    /// Tag → category map for the catalog; tags it does not name go to "Other".
    #[arg(
        long,
        env = "TAG_CATEGORIES_FILE",
        default_value = "data/tag_categories.json"
    )]
    pub tag_categories_file: PathBuf,
    /// The address people use to reach the site, for links in emails; also
    /// decides whether cookies are marked Secure (https). Default: http://SITE_ADDR.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Reverse proxies in front of this server, by address (comma-separated,
    /// e.g. 127.0.0.1,10.0.0.5). A request from one of them is counted for
    /// throttling under the client it names in X-Forwarded-For; without this,
    /// every visitor behind a proxy shares the proxy's address (and its limits).
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Sessions end after this many days without a visit.
    #[arg(long, env = "SESSION_INACTIVITY_DAYS", default_value_t = 14)]
    pub session_inactivity_days: u32,
    /// SMTP server for outgoing email, e.g. smtps://user:password@smtp.example.com.
    /// Unset: emails go to MAIL_OUTBOX_DIR, or their links to the server log.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of outgoing email.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "AcmeLearn <no-reply@acmelearn.invalid>"
    )]
    pub mail_from: String,
    /// Without SMTP: write each email as an .eml file into this folder.
    #[arg(long, env = "MAIL_OUTBOX_DIR")]
    pub mail_outbox_dir: Option<PathBuf>,
    /// Catalog search results (for everyone) and whole catalog pages (for
    /// visitors without a session) are served from memory for this many
    /// seconds after they were made (0: never). The catalog only changes at
    /// start-up or by `import-catalog`.
    #[arg(long, env = "CATALOG_CACHE_SECONDS", default_value_t = 60)]
    pub catalog_cache_seconds: u64,
    /// Memory for those pages, in megabytes.
    #[arg(long, env = "PAGE_CACHE_MEGABYTES", default_value_t = 64)]
    pub page_cache_megabytes: u64,
    #[command(flatten)]
    pub recommendations: RecommendationConfig,
    #[command(flatten)]
    pub operations: OperationsConfig,
}

/// Running in production: a read replica, metrics, shutting down cleanly.
#[derive(Debug, Clone, Args)]
pub struct OperationsConfig {
    /// A PostgreSQL streaming replica of DATABASE_URL for catalog, candidate
    /// and analytics reads. Unset: everything reads from DATABASE_URL.
    #[arg(long, env = "DATABASE_READ_URL", hide_env_values = true)]
    pub database_read_url: Option<String>,
    /// Seconds the replica may lag behind the primary before those reads go
    /// to the primary instead.
    #[arg(long, env = "DATABASE_READ_MAX_LAG", default_value = "5", value_parser = parse_seconds)]
    pub database_read_max_lag: Duration,
    /// Address to serve Prometheus metrics on (`/metrics`), e.g.
    /// 127.0.0.1:9100; keep it off the public network. Unset: no metrics.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Seconds, after SIGTERM or Ctrl-C, that requests in flight get to
    /// finish; whatever is still running then is cut off.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value = "20", value_parser = parse_seconds)]
    pub shutdown_timeout: Duration,
    /// Seconds between `/readyz` turning unready and the listener closing,
    /// so a load balancer's health check takes the instance out of rotation
    /// before it stops accepting (set it above the balancer's check interval
    /// times its fall count). Requests keep being served meanwhile.
    #[arg(long, env = "SHUTDOWN_DRAIN_DELAY", default_value = "0", value_parser = parse_seconds)]
    pub shutdown_drain_delay: Duration,
}

impl Default for OperationsConfig {
    fn default() -> Self {
        Self {
            database_read_url: None,
            database_read_max_lag: Duration::from_secs(5),
            metrics_addr: None,
            shutdown_timeout: Duration::from_secs(20),
            shutdown_drain_delay: Duration::ZERO,
        }
    }
}

/// A number of seconds, whole or not ("20", "0.5"), with an optional "s".
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let number = text.trim().trim_end_matches('s').trim();
    number
        .parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| format!("{text:?} is not a number of seconds (e.g. 20 or 0.5)"))
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Recommendations: the built-in ranker unless a language model is configured.
#[derive(Debug, Clone, Args)]
pub struct RecommendationConfig {
    /// Recommendation requests per learner per rolling 24 hours.
    #[arg(long, env = "RECOMMENDATIONS_PER_DAY", default_value_t = 10)]
    pub recommendations_per_day: u32,
    /// An OpenAI-compatible API (OpenAI, Ollama, vLLM, llama.cpp), e.g.
    /// https://api.openai.com/v1 or http://localhost:11434/v1. Unset: the built-in ranker answers.
    #[arg(long, env = "LLM_BASE_URL")]
    pub llm_base_url: Option<String>,
    /// The API key, sent as a bearer token (local servers may not need one).
    #[arg(long, env = "LLM_API_KEY", hide_env_values = true)]
    pub llm_api_key: Option<String>,
    /// The model to use, e.g. gpt-4o-mini.
    #[arg(long, env = "LLM_MODEL")]
    pub llm_model: Option<String>,
    /// Several models with weights for an A/B test, e.g. "gpt-4o-mini:50,llama3.1:50"
    /// ("builtin-v1" may be one); each learner always gets the same one. Overrides LLM_MODEL.
    #[arg(long, env = "LLM_MODELS")]
    pub llm_models: Option<String>,
    /// How long to wait for the model before answering with the built-in ranker.
    #[arg(long, env = "LLM_TIMEOUT_SECONDS", default_value_t = 20)]
    pub llm_timeout_seconds: u64,
}

impl RecommendationConfig {
    /// The settings the app runs with; a model only when a base URL and a
    /// model are both given.
    pub fn settings(&self) -> Result<app::recommend::RecommendSettings, String> {
        use app::recommend::llm::{ModelArm, ModelProvider, parse_model_arms};
        let present = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let arms = match (present(&self.llm_models), present(&self.llm_model)) {
            (Some(models), _) => Some(parse_model_arms(&models)?),
            (None, Some(model)) => Some(vec![ModelArm { model, weight: 1 }]),
            (None, None) => None,
        };
        let provider = match (present(&self.llm_base_url), arms) {
            (Some(base_url), Some(arms)) => Some(ModelProvider::new(
                &base_url,
                present(&self.llm_api_key),
                arms,
                std::time::Duration::from_secs(self.llm_timeout_seconds.max(1)),
            )?),
            (Some(_), None) => {
                return Err("LLM_BASE_URL is set but LLM_MODEL (or LLM_MODELS) is not".to_owned());
            }
            (None, Some(_)) => return Err("LLM_MODEL is set but LLM_BASE_URL is not".to_owned()),
            (None, None) => None,
        };
        Ok(app::recommend::RecommendSettings {
            daily_limit: self.recommendations_per_day,
            provider,
        })
    }
}

impl ServeConfig {
    /// The catalog to import at start-up, if any.
    pub fn catalog_to_import(&self) -> Option<&Path> {
        let file = self.catalog_file.trim();
        (!file.is_empty()).then(|| Path::new(file))
    }

    /// The configured address with its scheme and host in lower case (as
    /// browsers send them in `Origin`), without a trailing slash.
    pub fn public_url(&self) -> String {
        let url = self
            .public_url
            .clone()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| format!("http://{}", self.site_addr));
        let url = url.trim().trim_end_matches('/');
        match url.split_once("://") {
            Some((scheme, rest)) => {
                let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                format!(
                    "{}://{}{path}",
                    scheme.to_ascii_lowercase(),
                    host.to_ascii_lowercase()
                )
            }
            None => url.to_owned(),
        }
    }

    /// Cookies are `Secure` and HSTS is sent when people use HTTPS, however
    /// the scheme was capitalised.
    pub fn uses_https(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

#[derive(Debug, Clone, Args)]
pub struct ImportConfig {
    /// The catalog: a JSON array of courses.
    #[arg(default_value = "data/courses.json")]
    pub file: PathBuf,
    /// Tag → category map; defaults to `tag_categories.json` beside FILE, if present.
    #[arg(long)]
    pub categories: Option<PathBuf>,
}

impl ServeConfig {
    /// The defaults, as `server` with no subcommand runs them.
    pub fn from_environment() -> Self {
        #[derive(Parser)]
        struct OnlyServe {
            #[command(flatten)]
            serve: ServeConfig,
        }
        OnlyServe::parse_from(["server"]).serve
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn import_catalog_takes_a_file() {
        let cli = Cli::parse_from(["server", "import-catalog", "other.json"]);
        match cli.command {
            Some(Command::ImportCatalog(import)) => {
                assert_eq!(import.file, PathBuf::from("other.json"))
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    fn serve_config(arguments: &[&str]) -> ServeConfig {
        let mut all = vec!["server", "serve"];
        all.extend_from_slice(arguments);
        match Cli::parse_from(all).command {
            Some(Command::Serve(serve)) => *serve,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn https_is_recognised_however_it_is_capitalised() {
        let config = serve_config(&["--public-url", "HTTPS://Learn.Example.COM/Path/"]);
        assert!(config.uses_https(), "Secure cookies and HSTS");
        assert_eq!(config.public_url(), "https://learn.example.com/Path");
        let local = serve_config(&["--site-addr", "127.0.0.1:3000"]);
        assert!(!local.uses_https());
        assert_eq!(local.public_url(), "http://127.0.0.1:3000");
    }

    #[test]
    fn trusted_proxies_are_a_list_of_addresses() {
        let config = serve_config(&["--trusted-proxies", "127.0.0.1,10.0.0.5,::1"]);
        assert_eq!(config.trusted_proxies.len(), 3);
        assert!(serve_config(&[]).trusted_proxies.is_empty());
        assert!(
            Cli::try_parse_from(["server", "serve", "--trusted-proxies", "proxy.local"]).is_err(),
            "a name is refused at start, not ignored"
        );
    }

    #[test]
    fn durations_are_seconds_whole_or_not() {
        let config = serve_config(&["--shutdown-timeout", "7", "--shutdown-drain-delay", "0.5s"]);
        assert_eq!(config.operations.shutdown_timeout, Duration::from_secs(7));
        assert_eq!(
            config.operations.shutdown_drain_delay,
            Duration::from_millis(500)
        );
        let defaults = serve_config(&[]);
        assert_eq!(
            defaults.operations.shutdown_timeout,
            Duration::from_secs(20)
        );
        assert_eq!(
            defaults.operations.database_read_max_lag,
            Duration::from_secs(5)
        );
        for bad in ["-1", "soon", "", "NaN"] {
            assert!(
                Cli::try_parse_from(["server", "serve", "--shutdown-timeout", bad]).is_err(),
                "{bad:?} is refused at start"
            );
        }
    }

    #[test]
    fn an_empty_catalog_file_skips_the_import() {
        let cli = Cli::parse_from(["server", "serve", "--catalog-file", ""]);
        match cli.command {
            Some(Command::Serve(serve)) => assert_eq!(serve.catalog_to_import(), None),
            other => panic!("parsed as {other:?}"),
        }
    }
}
