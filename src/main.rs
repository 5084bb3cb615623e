use std::{io::Write, process::ExitCode};

use clap::{Parser, Subcommand};
use oversee::{
    auth::{parse_ttl, JwtKeys, Role},
    config::{Config, LogFormat},
    db::Db,
    state::AppState,
};

#[derive(Parser)]
#[command(name = "oversee", version, about = "Third-party vendor risk management for 201 CMR 17.03(2)(f)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server (applies pending migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Mint a bearer token (HS256; for bootstrap and development).
    Token {
        /// Who the token is for, e.g. alice@example.com.
        #[arg(long)]
        sub: String,
        /// admin, procurement, legal, security, auditor, integration or respondent.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Lifetime such as 30m, 8h or 7d.
        #[arg(long, default_value = "8h", value_parser = parse_ttl)]
        ttl: chrono::Duration,
    },
    /// Send due reminders: one pass with --once (for cron), otherwise a loop like the server's.
    Remind {
        /// Plan everything, send what is due, print a summary and exit.
        #[arg(long)]
        once: bool,
    },
    /// Add a realistic demo portfolio (deterministic for a given seed).
    SeedDemo {
        #[arg(long, default_value_t = 100)]
        vendors: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Benchmark ceiling: the vendor point query in a loop, without HTTP; prints queries/s.
    BenchDb {
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Measure clause detection over its corpus and write docs/clause-detection.md (`-` for stdout).
    ClauseReport {
        #[arg(long, default_value = "docs/clause-detection.md")]
        out: String,
    },
    /// The audit trail, without a server.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write the OpenAPI spec (default: openapi/openapi.json; `-` for stdout).
    Openapi {
        #[arg(long, default_value = "openapi/openapi.json")]
        out: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify a JSON Lines export (GET /api/v1/audit-events/export) with no database: prints the
    /// verification as JSON and exits 0 when intact, 1 when not. Keyed events need the audit key
    /// (OVERSEE_AUDIT_KEY, and OVERSEE_AUDIT_PREVIOUS_KEYS for older ones) in the environment.
    Verify {
        /// The export file (`-` for standard input).
        #[arg(long)]
        export: String,
        /// A head noted earlier, `HASH` or `SEQ:HASH`: also says whether the export extends it.
        #[arg(long)]
        head: Option<String>,
        /// Every event from this seq on must be keyed (as OVERSEE_AUDIT_KEYED_SINCE).
        #[arg(long, env = "OVERSEE_AUDIT_KEYED_SINCE")]
        keyed_since: Option<i64>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("'{s}' is not a role; use one of {}", all.join(", "))
    })
}

fn main() -> ExitCode {
    // Whatever Oversee or a library it uses creates (the database, mail files, evidence) is for
    // its own user alone unless made otherwise on purpose.
    // SAFETY: umask only sets this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    if let Command::Openapi { out } = &cli.command {
        let json = oversee::openapi_json();
        if out == "-" {
            print!("{json}");
        } else {
            std::fs::write(out, json).map_err(|e| format!("cannot write {out}: {e}"))?;
            eprintln!("wrote {out}");
        }
        return Ok(());
    }
    if let Command::ClauseReport { out } = &cli.command {
        let report = oversee::rules::clause_corpus::report();
        if out == "-" {
            print!("{report}");
        } else {
            std::fs::write(out, report).map_err(|e| format!("cannot write {out}: {e}"))?;
            eprintln!("wrote {out}");
        }
        return Ok(());
    }
    if let Command::Audit { command: AuditCommand::Verify { export, head, keyed_since } } = &cli.command {
        return verify_export(export, head.as_deref(), *keyed_since);
    }
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Token { sub, role, ttl } => {
            let keys = JwtKeys::from_settings(&config.jwt, &config.data_dir)?;
            println!("{}", keys.mint(&sub, role, ttl)?);
            Ok(())
        }
        Command::Migrate => {
            let (_, n) = oversee::open_database(&config)?;
            eprintln!("applied {n} migration(s)");
            Ok(())
        }
        Command::Serve => serve(config),
        Command::Remind { once } => remind(config, once),
        Command::SeedDemo { vendors, seed } => {
            let (db, _) = oversee::open_database(&config)?;
            let r = oversee::seed::seed(&db, vendors, seed).map_err(|e| e.to_string())?;
            eprintln!(
                "seeded {} vendors, {} contracts, {} clauses, {} renewals in {:.1}s",
                r.vendors, r.contracts, r.clauses, r.events, r.seconds
            );
            Ok(())
        }
        Command::BenchDb { seconds, threads } => {
            let db = Db::connect(&config.database_url)?;
            let rate = oversee::benchmark::point_query_rate(&db, seconds, threads).map_err(|e| e.to_string())?;
            println!("{rate:.0}");
            Ok(())
        }
        Command::Openapi { .. } | Command::Audit { .. } | Command::ClauseReport { .. } => {
            unreachable!("handled above")
        }
    }
}

/// `oversee audit verify --export`: needs no database and no other configuration than the
/// audit keys.
fn verify_export(path: &str, head: Option<&str>, keyed_since: Option<i64>) -> Result<(), String> {
    let mut keys = oversee::audit::keys::AuditKeys::parse(
        std::env::var("OVERSEE_AUDIT_KEY").ok().filter(|k| !k.trim().is_empty()).as_deref(),
        std::env::var("OVERSEE_AUDIT_PREVIOUS_KEYS").ok().as_deref(),
    )
    .map_err(|(var, e)| format!("configuration error: {var}: {e}"))?;
    keys.keyed_since = keyed_since;
    let noted = head.map(oversee::audit::verify::NotedHead::parse).transpose().map_err(|e| format!("--head: {e}"))?;
    let verification = if path == "-" {
        oversee::audit::offline::verify_export(std::io::stdin().lock(), &keys, noted)
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        oversee::audit::offline::verify_export(std::io::BufReader::new(file), &keys, noted)
    }
    .map_err(|e| format!("cannot read {path}: {e}"))?;
    // A closed pipe (`| head`) is not an error of the verification.
    let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&verification).unwrap_or_default());
    let extends = verification.noted_head.as_ref().is_none_or(|n| n.extended);
    if verification.intact && extends {
        Ok(())
    } else {
        Err(match &verification.first_broken {
            Some(p) => format!(
                "the export does not verify: {} at line {} (seq {}): {}",
                p.problem,
                p.line.map_or("-".into(), |l| l.to_string()),
                p.seq.map_or("-".into(), |s| s.to_string()),
                p.detail
            ),
            None => "the export does not extend the noted head".into(),
        })
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OVERSEE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn remind(config: Config, once: bool) -> Result<(), String> {
    init_logging(config.log_format);
    let (db, _) = oversee::open_database(&config)?;
    let keys = JwtKeys::from_settings(&config.jwt, &config.data_dir)?;
    // The SMTP pool starts a task, so the state is made on the runtime that runs it.
    let system = actix_web::rt::System::new();
    let state = system.block_on(async { AppState::new(config, db, keys) });
    eprintln!("mail: {}", state.mailer.description);
    system.block_on(async move {
        if once {
            let report = oversee::reminders::sender::run_once(&state, chrono::Utc::now(), true)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
        } else {
            oversee::jobs::send_reminders(state).await;
        }
        Ok(())
    })
}

fn serve(config: Config) -> Result<(), String> {
    init_logging(config.log_format);
    let (db, applied) = oversee::open_database(&config)?;
    let keys = JwtKeys::from_settings(&config.jwt, &config.data_dir)?;
    let bind = config.bind;
    let where_data = if config.database_is_default {
        format!(
            "SQLite {}",
            std::fs::canonicalize(&config.database_url).unwrap_or(config.database_url.clone().into()).display()
        )
    } else {
        format!("{:?} database from DATABASE_URL", db.backend)
    };
    let token_hint = if keys.algorithm == jsonwebtoken::Algorithm::HS256 {
        "mint a first token: oversee token --sub you@example.com --role admin".to_string()
    } else {
        format!("tokens: {:?} from your identity provider", keys.algorithm)
    };
    // The SMTP pool starts a task, so the state is made on the runtime that runs it.
    let system = actix_web::rt::System::new();
    let state = system.block_on(async { AppState::new(config.clone(), db, keys) });
    let base = &config.public_url;
    eprintln!(
        "Oversee {version}\n  listening  http://{bind}{metrics_at}\n  data       {where_data} ({applied} migration(s) applied now)\n  \
         data dir   {data_dir}\n  mail       {mail}\n  docs       {base}/docs/  (spec: {base}/openapi.json)\n  auth       {token_hint}\n  secrets    {secrets}",
        version = env!("CARGO_PKG_VERSION"),
        secrets = if config.secret_key.is_some() {
            "webhook signing secrets stored sealed (OVERSEE_SECRET_KEY)"
        } else {
            "webhook signing secrets stored in plain text: set OVERSEE_SECRET_KEY to seal them"
        },
        metrics_at = config.metrics_bind.map(|m| format!(" (metrics on http://{m}/metrics)")).unwrap_or_default(),
        mail = if state.config.reminders.in_server {
            state.mailer.description.clone()
        } else {
            format!("{} (reminders only by `oversee remind`)", state.mailer.description)
        },
        data_dir = std::fs::canonicalize(&config.data_dir).unwrap_or(config.data_dir.clone()).display(),
    );
    system.block_on(async move {
        actix_web::rt::spawn(oversee::jobs::run(state.clone()));
        // actix-web stops accepting on SIGTERM/SIGINT and lets in-flight requests finish.
        let metrics_state = state.clone();
        let api = actix_web::HttpServer::new(move || oversee::app(state.clone()))
            .shutdown_timeout(20)
            .bind(bind)
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?
            .run();
        let Some(metrics_bind) = metrics_state.config.metrics_bind else {
            return api.await.map_err(|e| format!("server failed: {e}"));
        };
        // Metrics on a listener of their own, off the public port: one worker is plenty.
        let metrics = actix_web::HttpServer::new(move || oversee::ops::metrics_app(metrics_state.clone()))
            .workers(1)
            .bind(metrics_bind)
            .map_err(|e| format!("cannot listen on {metrics_bind} (OVERSEE_METRICS_BIND): {e}"))?
            .run();
        futures_util::future::try_join(api, metrics).await.map(|_| ()).map_err(|e| format!("server failed: {e}"))
    })
}
