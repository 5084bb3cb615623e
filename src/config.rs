//! Settings from the environment. Every setting has a default that runs with no configuration;
//! an invalid value stops the process at start with a message naming the variable.

use std::{env, net::SocketAddr, path::PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// True when `DATABASE_URL` was not set and the embedded default is used.
    pub database_is_default: bool,
    pub jwt: JwtSettings,
    pub body_limit_bytes: usize,
    pub log_format: LogFormat,
    pub public_url: String,
    /// The sender of every mail, `Name <address>` or an address.
    pub mail_from: String,
    /// Days after an assessment's due date during which the respondent's link still works.
    pub respondent_grace_days: u32,
    /// Largest evidence file a respondent may attach.
    pub evidence_max_bytes: usize,
    /// Failed authentications a minute per client address, before 429.
    pub rate_auth_failures: u32,
    /// Failed respondent-token attempts a minute per client address, before 429.
    pub rate_portal_failures: u32,
    /// Clause analyses a minute per caller.
    pub rate_analyses: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a proxy).
    pub trust_forwarded_for: bool,
    /// The furthest an assessment's due date may be, in days from today.
    pub max_due_days: u32,
    /// Most files one assessment may hold.
    pub evidence_max_files: u32,
    /// Most bytes of files one assessment may hold.
    pub evidence_max_total_bytes: u64,
    /// The capability score's weights and thresholds (docs/scoring.md).
    pub score_model: crate::rules::capability::Model,
    /// Webhooks may use http:// URLs (default: https only).
    pub webhook_allow_http: bool,
    /// Webhooks may reach private, loopback, link-local and metadata addresses (default: no).
    pub webhook_allow_private: bool,
    pub webhook_timeout_seconds: u64,
    /// When set, ticket status events must carry `X-Oversee-Signature: sha256=<hex HMAC>` of the body.
    pub ticket_events_secret: Option<String>,
    /// lettre URL of the SMTP server; unset: mail is written as .eml files to the data folder.
    pub smtp_url: Option<String>,
    /// Per SMTP command; a claimed reminder is leased for this plus a margin.
    pub smtp_timeout_seconds: u64,
    /// Reminder defaults until an admin saves `/settings/reminders`.
    pub reminders: ReminderDefaults,
    /// The optional key that makes each audit chain link an HMAC, and older keys.
    pub audit_keys: crate::audit::keys::AuditKeys,
    /// A listener of its own for `/metrics`, off the public port; the public port then has none.
    pub metrics_bind: Option<SocketAddr>,
    /// A static bearer token for `/metrics` (what a Prometheus scraper sends).
    pub metrics_token: Option<String>,
    /// Seals secrets at rest (webhook signing secrets) when set.
    pub secret_key: Option<String>,
    /// How long an Idempotency-Key and its response are kept.
    pub idempotency_hours: u32,
}

#[derive(Clone, Debug)]
pub struct ReminderDefaults {
    pub lead_days: Vec<u32>,
    pub interval_seconds: u32,
    /// Whether `serve` runs the reminder loop; off, reminders go out only by `oversee remind`.
    pub in_server: bool,
    /// Role mailboxes (`procurement=procurement@example.com,legal=legal@example.com`).
    pub mailboxes: std::collections::BTreeMap<String, String>,
}

impl Config {
    pub fn webhook_guard(&self) -> crate::webhooks::guard::Policy {
        crate::webhooks::guard::Policy {
            allow_http: self.webhook_allow_http,
            allow_private: self.webhook_allow_private,
        }
    }
}

#[derive(Clone, Debug)]
pub struct JwtSettings {
    /// HS256 secret; when neither this nor `public_key_pem` is set, one is generated in the data folder.
    pub secret: Option<String>,
    /// PEM of an RSA or EC public key from an identity provider (RS256 / ES256).
    pub public_key_pem: Option<String>,
    pub issuer: String,
    pub audience: String,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { var, message: message.into() }
}

/// Reads a variable; an empty value counts as unset so `VAR=` in a shell does what people expect.
fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(var)
    }

    /// Same as `from_env`, over any lookup, so it can be tested without touching the process env.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let bind = match get("OVERSEE_BIND") {
            Some(v) => v
                .parse()
                .map_err(|_| bad("OVERSEE_BIND", format!("'{v}' is not an address:port such as 127.0.0.1:8080")))?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let data_dir = PathBuf::from(get("OVERSEE_DATA_DIR").unwrap_or_else(|| ".".into()));
        let (database_url, database_is_default) = match get("DATABASE_URL") {
            Some(url) => (validate_database_url(&url)?, false),
            None => (data_dir.join("oversee.db").to_string_lossy().into_owned(), true),
        };
        let public_key_pem = match get("OVERSEE_JWT_PUBLIC_KEY") {
            Some(v) if v.contains("-----BEGIN") => Some(v),
            Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                bad("OVERSEE_JWT_PUBLIC_KEY", format!("neither a PEM nor a readable file '{path}': {e}"))
            })?),
            None => None,
        };
        let secret = get("OVERSEE_JWT_SECRET");
        if let Some(s) = &secret {
            if s.len() < 32 {
                return Err(bad("OVERSEE_JWT_SECRET", "must be at least 32 characters"));
            }
        }
        let body_limit_bytes = match get("OVERSEE_BODY_LIMIT_BYTES") {
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1024)
                .ok_or_else(|| bad("OVERSEE_BODY_LIMIT_BYTES", format!("'{v}' is not a whole number >= 1024")))?,
            None => DEFAULT_BODY_LIMIT,
        };
        let log_format = match get("OVERSEE_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(bad("OVERSEE_LOG_FORMAT", format!("'{other}' is not text or json"))),
        };
        let mail_from = get("OVERSEE_MAIL_FROM").unwrap_or_else(|| "Oversee <oversee@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad("OVERSEE_MAIL_FROM", format!("'{mail_from}' is not an address or 'Name <address>'")));
        }
        let respondent_grace_days = number(&get, "OVERSEE_RESPONDENT_GRACE_DAYS", 14, 0..=365)? as u32;
        let evidence_max_bytes =
            number(&get, "OVERSEE_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, 1024..=1024 * 1024 * 1024)?;
        let rate_auth_failures = number(&get, "OVERSEE_RATE_AUTH_FAILURES", 60, 1..=1_000_000)? as u32;
        let rate_portal_failures = number(&get, "OVERSEE_RATE_PORTAL_FAILURES", 20, 1..=1_000_000)? as u32;
        let rate_analyses = number(&get, "OVERSEE_RATE_ANALYSES", 20, 1..=1_000_000)? as u32;
        let trust_forwarded_for = flag(&get, "OVERSEE_TRUST_FORWARDED_FOR")?;
        let max_due_days = number(&get, "OVERSEE_MAX_DUE_DAYS", 365, 1..=3650)? as u32;
        let evidence_max_files = number(&get, "OVERSEE_EVIDENCE_MAX_FILES", 50, 1..=10_000)? as u32;
        let evidence_max_total_bytes =
            number(&get, "OVERSEE_EVIDENCE_MAX_TOTAL_BYTES", 250 * 1024 * 1024, 1024..=64 * 1024 * 1024 * 1024)? as u64;
        let score_model = crate::rules::capability::Model::parse(&get("OVERSEE_SCORE_MODEL").unwrap_or_default())
            .map_err(|e| bad("OVERSEE_SCORE_MODEL", e))?;
        let webhook_allow_http = flag(&get, "OVERSEE_WEBHOOK_ALLOW_HTTP")?;
        let webhook_allow_private = flag(&get, "OVERSEE_WEBHOOK_ALLOW_PRIVATE")?;
        let webhook_timeout_seconds = number(&get, "OVERSEE_WEBHOOK_TIMEOUT_SECONDS", 10, 1..=120)? as u64;
        let smtp_url = get("OVERSEE_SMTP_URL");
        if let Some(url) = &smtp_url {
            crate::mail::check_smtp_url(url).map_err(|e| {
                bad(
                    "OVERSEE_SMTP_URL",
                    format!("{e} (use smtp://host:port, smtp://host?tls=required or smtps://user:password@host)"),
                )
            })?;
        }
        let smtp_timeout_seconds = number(&get, "OVERSEE_SMTP_TIMEOUT_SECONDS", 30, 1..=300)? as u64;
        let reminders = ReminderDefaults {
            lead_days: match get("OVERSEE_REMINDER_LEAD_DAYS") {
                Some(v) => parse_lead_days(&v).map_err(|e| bad("OVERSEE_REMINDER_LEAD_DAYS", e))?,
                None => crate::rules::reminders::DEFAULT_LEAD_DAYS.to_vec(),
            },
            interval_seconds: number(&get, "OVERSEE_REMINDER_INTERVAL_SECONDS", 300, 1..=86_400)? as u32,
            in_server: get("OVERSEE_REMINDERS_IN_SERVER").is_none() || flag(&get, "OVERSEE_REMINDERS_IN_SERVER")?,
            mailboxes: match get("OVERSEE_REMINDER_MAILBOXES") {
                Some(v) => parse_mailboxes(&v).map_err(|e| bad("OVERSEE_REMINDER_MAILBOXES", e))?,
                None => Default::default(),
            },
        };
        let public_url = get("OVERSEE_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let mut audit_keys = crate::audit::keys::AuditKeys::parse(
            get("OVERSEE_AUDIT_KEY").as_deref(),
            get("OVERSEE_AUDIT_PREVIOUS_KEYS").as_deref(),
        )
        .map_err(|(var, e)| bad(var, e))?;
        if get("OVERSEE_AUDIT_KEYED_SINCE").is_some() {
            audit_keys.keyed_since = Some(number(&get, "OVERSEE_AUDIT_KEYED_SINCE", 1, 1..=i64::MAX as usize)? as i64);
        }
        let metrics_bind = match get("OVERSEE_METRICS_BIND") {
            Some(v) => Some(v.parse::<SocketAddr>().ok().filter(|a| *a != bind).ok_or_else(|| {
                bad("OVERSEE_METRICS_BIND", format!("'{v}' is not an address:port other than OVERSEE_BIND's"))
            })?),
            None => None,
        };
        let ticket_events_secret = get("OVERSEE_TICKET_EVENTS_SECRET");
        if let Some(secret) = &ticket_events_secret {
            crate::rules::webhooks::sign(secret, "check", 0, b"")
                .ok()
                .filter(|_| secret.starts_with(crate::rules::webhooks::SECRET_PREFIX) && secret.len() >= 30)
                .ok_or_else(|| {
                    bad(
                        "OVERSEE_TICKET_EVENTS_SECRET",
                        "must be a Standard Webhooks secret: whsec_ and base64 of 24 or more bytes",
                    )
                })?;
        }
        let metrics_token = get("OVERSEE_METRICS_TOKEN");
        let secret_key = get("OVERSEE_SECRET_KEY");
        crate::secrets::SecretBox::new(secret_key.as_deref()).map_err(|e| bad("OVERSEE_SECRET_KEY", e))?;
        let idempotency_hours = number(&get, "OVERSEE_IDEMPOTENCY_HOURS", 24, 1..=720)? as u32;
        if metrics_token.as_ref().is_some_and(|t| t.len() < 32) {
            return Err(bad("OVERSEE_METRICS_TOKEN", "must be at least 32 characters"));
        }
        Ok(Config {
            bind,
            data_dir,
            database_url,
            database_is_default,
            jwt: JwtSettings {
                secret,
                public_key_pem,
                issuer: get("OVERSEE_JWT_ISSUER").unwrap_or_else(|| "oversee".into()),
                audience: get("OVERSEE_JWT_AUDIENCE").unwrap_or_else(|| "oversee-api".into()),
            },
            body_limit_bytes,
            log_format,
            public_url: public_url.trim_end_matches('/').to_string(),
            mail_from,
            respondent_grace_days,
            evidence_max_bytes,
            evidence_max_files,
            evidence_max_total_bytes,
            max_due_days,
            rate_auth_failures,
            rate_portal_failures,
            rate_analyses,
            trust_forwarded_for,
            score_model,
            webhook_allow_http,
            webhook_allow_private,
            webhook_timeout_seconds,
            ticket_events_secret,
            smtp_url,
            smtp_timeout_seconds,
            reminders,
            audit_keys,
            metrics_bind,
            metrics_token,
            secret_key,
            idempotency_hours,
        })
    }
}

/// `90,60,30` → the lead days, largest first; each 1 to 365, no repeats.
fn parse_lead_days(v: &str) -> Result<Vec<u32>, String> {
    let mut days = v
        .split(',')
        .map(|p| p.trim().parse::<u32>().ok().filter(|d| (1..=365).contains(d)))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| format!("'{v}' is not a comma-separated list of days from 1 to 365, such as 90,60,30,14,7,1"))?;
    crate::reminders::settings::normalize_lead_days(&mut days)?;
    Ok(days)
}

/// `legal=legal@example.com,procurement=buyers@example.com`.
fn parse_mailboxes(v: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    v.split(',')
        .map(|pair| {
            let (name, address) = pair
                .split_once('=')
                .ok_or_else(|| format!("'{pair}' is not name=address, such as legal=legal@example.com"))?;
            let (name, address) = (name.trim().to_string(), address.trim().to_string());
            crate::reminders::settings::check_mailbox(&name, Some(&address))?;
            Ok((name, address))
        })
        .collect()
}

/// `true` or `false` (also 1/0, yes/no), `false` when unset.
fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(other) => Err(bad(var, format!("'{other}' is not true or false"))),
    }
}

/// A whole number within `range`, or `default` when unset.
fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(v) => {
            v.trim().parse::<usize>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                bad(var, format!("'{v}' is not a whole number from {} to {}", range.start(), range.end()))
            })
        }
    }
}

/// PostgreSQL URLs pass as they are. A SQLite path must sit in an existing folder, so that a typo
/// does not silently create an empty database somewhere unexpected.
fn validate_database_url(url: &str) -> Result<String, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(url.to_string());
    }
    if url.contains("://") {
        return Err(bad("DATABASE_URL", format!("'{url}': only postgres:// URLs or a SQLite file path are supported")));
    }
    let path = PathBuf::from(url.strip_prefix("sqlite:").unwrap_or(url));
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !parent.is_dir() {
        return Err(bad("DATABASE_URL", format!("folder '{}' does not exist", parent.display())));
    }
    Ok(path.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let c = load(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.database_is_default);
        assert!(c.database_url.ends_with("oversee.db"));
        assert_eq!(c.body_limit_bytes, DEFAULT_BODY_LIMIT);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.respondent_grace_days, 14);
        assert_eq!(c.evidence_max_bytes, 25 * 1024 * 1024);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (k, v) in [
            ("OVERSEE_BIND", "nope"),
            ("OVERSEE_LOG_FORMAT", "xml"),
            ("OVERSEE_BODY_LIMIT_BYTES", "12"),
            ("OVERSEE_JWT_SECRET", "short"),
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "/no/such/folder/x.db"),
            ("OVERSEE_JWT_PUBLIC_KEY", "/no/such/key.pem"),
            ("OVERSEE_MAIL_FROM", "not an address"),
            ("OVERSEE_RESPONDENT_GRACE_DAYS", "-1"),
            ("OVERSEE_RESPONDENT_GRACE_DAYS", "366"),
            ("OVERSEE_EVIDENCE_MAX_BYTES", "10"),
            ("OVERSEE_SCORE_MODEL", "questionnaire=90"),
            ("OVERSEE_WEBHOOK_ALLOW_PRIVATE", "maybe"),
            ("OVERSEE_WEBHOOK_TIMEOUT_SECONDS", "0"),
            ("OVERSEE_SMTP_URL", "http://mail.example.com"),
            ("OVERSEE_SMTP_TIMEOUT_SECONDS", "0"),
            ("OVERSEE_REMINDER_LEAD_DAYS", "30,0"),
            ("OVERSEE_REMINDER_LEAD_DAYS", "30,30"),
            ("OVERSEE_REMINDER_LEAD_DAYS", "soon"),
            ("OVERSEE_REMINDER_INTERVAL_SECONDS", "0"),
            ("OVERSEE_REMINDERS_IN_SERVER", "sometimes"),
            ("OVERSEE_REMINDER_MAILBOXES", "legal"),
            ("OVERSEE_REMINDER_MAILBOXES", "legal=not-an-address"),
        ] {
            let err = load(&[(k, v)]).unwrap_err();
            assert_eq!(err.var, k, "{v}");
        }
    }

    #[test]
    fn reminder_settings_read_from_the_environment() {
        let c = load(&[
            ("OVERSEE_REMINDER_LEAD_DAYS", "7, 30,1"),
            ("OVERSEE_REMINDER_MAILBOXES", "legal=legal@example.com, procurement = buy@example.com"),
            ("OVERSEE_SMTP_URL", "smtp://127.0.0.1:2525"),
        ])
        .unwrap();
        assert_eq!(c.reminders.lead_days, vec![30, 7, 1]);
        assert_eq!(c.reminders.mailboxes.get("procurement").map(String::as_str), Some("buy@example.com"));
        assert_eq!(c.smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
        let d = load(&[]).unwrap();
        assert_eq!(d.reminders.lead_days, vec![90, 60, 30, 14, 7, 1]);
        assert_eq!(d.reminders.interval_seconds, 300);
        assert!(d.reminders.in_server);
        assert!(!load(&[("OVERSEE_REMINDERS_IN_SERVER", "false")]).unwrap().reminders.in_server);
        assert!(d.smtp_url.is_none());
    }

    #[test]
    fn postgres_urls_pass() {
        let c = load(&[("DATABASE_URL", "postgres://postgres@127.0.0.1/test")]).unwrap();
        assert!(!c.database_is_default);
    }
}
