//! Delivery: fan the outbox out to subscriptions, then POST each due delivery, signed, and record
//! what happened. `run_once` is what the server's loop calls every few seconds; tests call it
//! directly with the time they want.

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use super::{
    guard,
    models::{DeliveryRow, DeliveryStatus, Subscription, SubscriptionRow},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    error::ApiError,
    rules::webhooks::{next_retry_in, signature_header, Outcome},
    state::AppState,
    time,
};

/// A subscription whose deliveries failed for good this many times in a row is disabled.
pub const DISABLE_AFTER: i32 = 5;
const PER_RUN: usize = 50;

fn tls() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            Arc::new(
                rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .expect("ring supports the default TLS versions")
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        })
        .clone()
}

fn client(timeout: Duration, policy: guard::Policy) -> awc::Client {
    // Connects only to addresses the SSRF guard allowed, from the one lookup it made.
    let tcp = actix_tls::connect::Connector::new(actix_tls::connect::Resolver::custom(guard::GuardedResolver(policy)));
    awc::Client::builder()
        .connector(awc::Connector::new().connector(tcp.service()).rustls_0_23(tls()).timeout(timeout))
        .timeout(timeout)
        .disable_redirects()
        .finish()
}

fn jitter() -> f64 {
    let mut b = [0u8; 8];
    let _ = getrandom::getrandom(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// One attempt: the outcome, how long it took, and what went wrong.
async fn attempt(
    state: &AppState,
    http: &awc::Client,
    sub: &SubscriptionRow,
    row: &DeliveryRow,
    now: DateTime<Utc>,
) -> (Outcome, u32, Option<String>) {
    let started = Instant::now();
    let elapsed = || started.elapsed().as_millis().min(u32::MAX as u128) as u32;
    if let Err(e) = guard::check(&sub.url, state.config.webhook_guard()).await {
        return (Outcome::ConnectionError, elapsed(), Some(format!("refused: {e}")));
    }
    let ts = now.timestamp();
    let now_text = time::format(now);
    let place = format!("webhook_subscriptions.secret of row {}", sub.id);
    let secrets: Result<Vec<String>, _> =
        sub.signing_secrets(&now_text).into_iter().map(|s| state.secrets.open(s, &place)).collect();
    let secrets = match secrets {
        Ok(s) => s,
        Err(e) => return (Outcome::ConnectionError, elapsed(), Some(format!("cannot sign: {e}"))),
    };
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let signature = match signature_header(&secrets, &row.id, ts, row.payload.as_bytes()) {
        Ok(s) => s,
        Err(e) => return (Outcome::ConnectionError, elapsed(), Some(format!("signing failed: {e}"))),
    };
    let sent = http
        .post(&sub.url)
        .insert_header(("content-type", "application/json"))
        .insert_header(("user-agent", concat!("Oversee-Webhooks/", env!("CARGO_PKG_VERSION"))))
        .insert_header(("webhook-id", row.id.as_str()))
        .insert_header(("webhook-timestamp", ts.to_string()))
        .insert_header(("webhook-signature", signature))
        .send_body(row.payload.clone())
        .await;
    match sent {
        Ok(mut res) => {
            // Read (a little of) the body so the connection can be reused; it is not kept.
            let _ = res.body().limit(64 * 1024).await;
            let code = res.status().as_u16();
            let err = (!(200..300).contains(&code)).then(|| format!("HTTP {code}"));
            (Outcome::Status(code), elapsed(), err)
        }
        Err(awc::error::SendRequestError::Timeout) => (Outcome::Timeout, elapsed(), Some("timed out".into())),
        Err(e) => (Outcome::ConnectionError, elapsed(), Some(e.to_string())),
    }
}

/// How long a claimed delivery is leased: twice the attempt's timeout and a margin; renewed
/// every third of that while in flight.
pub fn lease_length(timeout_seconds: u64) -> Duration {
    Duration::from_secs(timeout_seconds * 2 + 5)
}

/// Stores an attempt's result while `token` still holds the delivery: delivered, scheduled
/// again, or failed for good (which counts towards disabling the subscription). False, with
/// nothing stored, when another process took the delivery over.
#[allow(clippy::too_many_arguments)]
fn record(
    c: &mut crate::db::DbConn,
    mut row: DeliveryRow,
    token: &str,
    outcome: Outcome,
    latency_ms: u32,
    error: Option<String>,
    now: DateTime<Utc>,
    jitter: f64,
) -> Result<bool, ApiError> {
    let now_text = time::format(now);
    row.attempts += 1;
    row.lease_until = None;
    row.last_status_code = match outcome {
        Outcome::Status(s) => Some(i32::from(s)),
        _ => None,
    };
    row.last_latency_ms = Some(latency_ms as i32);
    row.last_error = error.map(|e| e.chars().take(500).collect());
    row.updated_at = now_text.clone();
    if !store::still_held(c, &row.id, token)? {
        return Ok(false);
    }
    let mut sub = store::get_locked(c, &row.subscription_id)?;
    let retry = outcome.retryable().then(|| next_retry_in(row.attempts as u32, jitter)).flatten();
    if outcome.succeeded() {
        row.status = DeliveryStatus::Succeeded.as_str().into();
        row.delivered_at = Some(now_text.clone());
        if sub.failed_in_a_row != 0 {
            sub.failed_in_a_row = 0;
            store::update(c, &sub)?;
        }
    } else if let Some(wait) = retry {
        let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
        row.next_attempt_at = time::format(next);
    } else {
        row.status = DeliveryStatus::Failed.as_str().into();
        sub.failed_in_a_row += 1;
        if sub.failed_in_a_row >= DISABLE_AFTER && sub.active {
            let before = Subscription::try_from(&sub)?;
            sub.active = false;
            sub.disabled_reason = Some(format!(
                "{} deliveries in a row failed for good; the last: {}",
                sub.failed_in_a_row,
                row.last_error.clone().unwrap_or_default()
            ));
            sub.version += 1;
            sub.updated_at = now_text;
            let after = Subscription::try_from(&sub)?;
            audit::record(
                c,
                &crate::auth::Principal::system(),
                Change::new("disabled", "webhook", &sub.id, Some(&before), Some(&after)),
            )?;
        }
        store::update(c, &sub)?;
    }
    store::update_delivery(c, &row)?;
    Ok(true)
}

/// Fans out the outbox and makes one pass over the due deliveries. Returns (events fanned out,
/// attempts made).
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> Result<(usize, usize), ApiError> {
    let now_text = time::format(now);
    let mut fanned = 0;
    loop {
        let t = now_text.clone();
        let n = state.db.write(move |c| store::fan_out(c, &t)).await?;
        fanned += n;
        if n == 0 {
            break;
        }
    }
    // Each claim is leased from the moment it is taken and renewed while its attempt and the
    // record of its result are in flight (`crate::lease`); a server killed midway leaves its
    // claims to expire and another pass sends them again.
    let length = lease_length(state.config.webhook_timeout_seconds);
    let token = crate::lease::token();
    let (t, tok) = (now_text.clone(), token.clone());
    let claimed_at = Instant::now();
    let due = state
        .db
        .write(move |c| store::claim_due(c, &t, &crate::lease::clock(), &crate::lease::until(length), &tok, PER_RUN))
        .await?;
    let http = client(Duration::from_secs(state.config.webhook_timeout_seconds), state.config.webhook_guard());
    let attempts = due.len();
    // Attempts run concurrently (each is for a different subject), so one slow receiver does not
    // hold up the others; each result is recorded as soon as it is known, so a crash re-sends
    // only what was in flight.
    let mut in_flight: futures_util::stream::FuturesUnordered<_> = due
        .into_iter()
        .map(|(row, sub)| {
            let (http, token, id) = (&http, &token, row.id.clone());
            let renew_id = id.clone();
            let renew = move || {
                let (id, token) = (renew_id.clone(), token.clone());
                state.db.write(move |c| store::renew_delivery(c, &id, &token, &crate::lease::until(length)))
            };
            let work = async move {
                let (outcome, latency, error) = attempt(state, http, &sub, &row, now).await;
                let (j, token) = (jitter(), token.clone());
                state.db.write(move |c| record(c, row, &token, outcome, latency, error, now, j)).await
            };
            async move { (id, crate::lease::hold(length, claimed_at, work, renew).await) }
        })
        .collect();
    while let Some((id, held)) = futures_util::StreamExt::next(&mut in_flight).await {
        match held {
            crate::lease::Held::Done(recorded) => {
                if !recorded? {
                    tracing::error!(delivery = %id, "another process took this delivery over before its result was \
                        recorded (this process was held up past its lease); its result stands");
                }
            }
            crate::lease::Held::Lost => {
                tracing::warn!(delivery = %id, "the delivery's lease was lost; whoever holds it now delivers and records it")
            }
        }
    }
    Ok((fanned, attempts))
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    /// DNS rebinding: a name that passed the guard when the subscription was saved may resolve to
    /// a private address by the time of a delivery. The delivery client makes its own lookup
    /// through the guard, so it never connects there, whatever was checked before it.
    #[actix_web::test]
    async fn the_delivery_client_never_connects_to_a_name_that_resolves_to_a_refused_address() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://localhost:{}/hook", listener.local_addr().unwrap().port());
        let refusing = client(Duration::from_secs(5), guard::Policy { allow_http: true, allow_private: false });
        let err = refusing.post(&url).send_body("{}").await.expect_err("a refused address").to_string();
        assert!(err.contains("refused") && err.contains("loopback"), "{err}");
        assert!(listener.accept().is_err(), "no connection reached the receiver");

        // The same request with private addresses allowed does connect: the refusal above came
        // from the guard, not from a receiver that was never there.
        let allowing = client(Duration::from_secs(5), guard::Policy { allow_http: true, allow_private: true });
        let request = actix_web::rt::spawn(async move { allowing.post(&url).send_body("{}").await.is_ok() });
        let deadline = Instant::now() + Duration::from_secs(30);
        while listener.accept().is_err() {
            assert!(!request.is_finished(), "the request ended before the receiver saw a connection");
            assert!(Instant::now() < deadline, "the allowed request never reached the receiver");
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        request.abort();
    }
}
