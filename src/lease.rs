//! Leases on rows that one process at a time works on: a reminder being mailed, a webhook being
//! delivered. Any number of `serve` and `remind` processes may share one database.
//!
//! - A lease is taken with a conditional update and runs from the moment of that claim, by the
//!   wall clock then, never from when the pass that took it began: a pass may run for minutes.
//! - While the work is in flight the lease is renewed every third of its length, so a send that
//!   legitimately takes longer than one lease (a slow SMTP server) keeps it.
//! - A claim is fenced by a token naming the holder (`worker_id()` plus a random part): renewing
//!   and recording the outcome both require it, so a process whose lease was taken over can
//!   neither extend it nor overwrite the new holder's outcome.
//! - When the lease cannot be renewed (taken over, or the database unreachable until too little
//!   of it is left), the work is dropped unfinished: a mail cut off before its final `.` is not
//!   delivered (one cut off after it may be).
//!
//! Leases compare the processes' own clocks: replicas on several machines need their clocks
//! in step (NTP) to well within a lease's length (README.md, "Exactly once").

use std::{
    future::Future,
    pin::pin,
    sync::OnceLock,
    time::{Duration, Instant},
};

use chrono::Utc;
use futures_util::future::{select, Either};

use crate::{error::ApiError, time};

/// This process's name in claims: host, process id and a random part (a pid is reused after a
/// restart, and on other hosts).
pub fn worker_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "host".into());
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("{host}:{}:{}", std::process::id(), &random[..8])
    })
}

/// A fresh claim token: the worker and a random part, unique to one claim.
pub fn token() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}/{}", worker_id(), &random[..12])
}

/// The worker a claim token names.
pub fn worker_of(token: &str) -> &str {
    token.rsplit_once('/').map_or(token, |(worker, _)| worker)
}

/// The wall clock now, as stored: what leases are compared with.
pub fn clock() -> String {
    time::now()
}

/// When a lease of `length` taken now ends, as stored.
pub fn until(length: Duration) -> String {
    time::format(Utc::now() + chrono::Duration::from_std(length).unwrap_or(chrono::Duration::MAX))
}

/// What holding a lease over some work came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Held<T> {
    Done(T),
    /// The lease could not be kept; the work was dropped unfinished.
    Lost,
}

/// Runs `work` while renewing its lease every third of `length`. `renew` extends the lease by
/// `length` from now and says whether this holder still has it. A renewal that fails on a
/// database error is tried again at the next tick while enough of the lease is left; the work
/// is dropped once it is not. The lease is counted from before each claim or renewal was sent
/// (`claimed_at`, then the start of each renewal), so the process always stops before the lease
/// the database holds runs out, never after.
pub async fn hold<T, W, R, RF>(length: Duration, claimed_at: Instant, work: W, mut renew: R) -> Held<T>
where
    W: Future<Output = T>,
    R: FnMut() -> RF,
    RF: Future<Output = Result<bool, ApiError>>,
{
    let tick = (length / 3).max(Duration::from_millis(10));
    let mut held_until = claimed_at + length;
    let mut work = pin!(work);
    loop {
        let timer = pin!(actix_web::rt::time::sleep(tick));
        work = match select(work, timer).await {
            Either::Left((done, _)) => return Held::Done(done),
            Either::Right(((), work)) => work,
        };
        let asked_at = Instant::now();
        match renew().await {
            Ok(true) => held_until = asked_at + length,
            Ok(false) => {
                tracing::warn!("a lease was taken over by another process; its work was dropped");
                return Held::Lost;
            }
            Err(e) => {
                // The next tick must still fall inside the lease, or the work stops here.
                if Instant::now() + tick >= held_until {
                    tracing::warn!(error = %e, "a lease could not be renewed before it ran out; its work was dropped");
                    return Held::Lost;
                }
                tracing::warn!(error = %e, "a lease could not be renewed; trying again");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{cell::Cell, rc::Rc, time::Duration};

    use super::*;

    fn sleep(ms: u64) -> impl Future<Output = ()> {
        actix_web::rt::time::sleep(Duration::from_millis(ms))
    }

    #[actix_web::test]
    async fn work_longer_than_the_lease_keeps_it_by_renewing() {
        let renewals = Rc::new(Cell::new(0));
        let r = renewals.clone();
        let held = hold(
            Duration::from_millis(90),
            std::time::Instant::now(),
            async {
                sleep(400).await;
                "sent"
            },
            || {
                r.set(r.get() + 1);
                async { Ok(true) }
            },
        )
        .await;
        assert_eq!(held, Held::Done("sent"));
        // The work outlived several leases of 90 ms, each renewed before it ran out.
        assert!(renewals.get() >= 4, "{}", renewals.get());
    }

    #[actix_web::test]
    async fn quick_work_needs_no_renewal() {
        let held = hold(Duration::from_secs(3), std::time::Instant::now(), async { 7 }, || async {
            panic!("no renewal expected")
        })
        .await;
        assert_eq!(held, Held::Done(7));
    }

    #[actix_web::test]
    async fn work_is_dropped_as_soon_as_the_lease_is_taken_over() {
        let finished = Rc::new(Cell::new(false));
        let f = finished.clone();
        let held = hold(
            Duration::from_millis(60),
            std::time::Instant::now(),
            async move {
                sleep(2_000).await;
                f.set(true);
            },
            || async { Ok(false) },
        )
        .await;
        assert_eq!(held, Held::Lost);
        assert!(!finished.get(), "the work was dropped before its end");
    }

    #[actix_web::test]
    async fn a_failing_renewal_is_retried_but_the_work_stops_before_the_lease_ends() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let finished = Rc::new(Cell::new(false));
        let f = finished.clone();
        let work = async move {
            sleep(2_000).await;
            f.set(true);
        };
        let held = hold(Duration::from_millis(90), std::time::Instant::now(), work, || {
            c.set(c.get() + 1);
            async { Err(ApiError::Unavailable("database unavailable".into())) }
        })
        .await;
        assert_eq!(held, Held::Lost);
        assert!(!finished.get(), "the work was dropped before its end");
        // Tried at most twice (a third tick would fall past the lease), at least once.
        assert!((1..=2).contains(&calls.get()), "{}", calls.get());
    }

    #[actix_web::test]
    async fn one_failed_renewal_followed_by_a_good_one_keeps_the_work() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let held = hold(
            Duration::from_millis(90),
            std::time::Instant::now(),
            async {
                sleep(300).await;
                1
            },
            || {
                c.set(c.get() + 1);
                let fail = c.get() == 1;
                async move {
                    if fail {
                        Err(ApiError::Unavailable("blip".into()))
                    } else {
                        Ok(true)
                    }
                }
            },
        )
        .await;
        assert_eq!(held, Held::Done(1));
    }

    #[test]
    fn tokens_name_their_worker_and_differ() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(worker_of(&a), worker_id());
        assert!(worker_id().contains(&format!(":{}:", std::process::id())));
    }

    /// Claims name the host first, so an operator reading `claimed_by` knows which machine held it.
    #[test]
    fn the_worker_names_this_host_then_this_process() {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        let expected = format!("{}:{}:", host.trim(), std::process::id());
        assert!(!host.trim().is_empty() && worker_id().starts_with(&expected), "{} for {expected}", worker_id());
    }
}
