//! `oversee bench-db`: the database-alone ceiling for benchmarks. Runs the exact point query of
//! `GET /api/v1/vendors/{id}` (`vendors::store::get`) in a tight loop on pooled connections, so
//! HTTP results can be read as a fraction of what the database allows.

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::{Duration, Instant},
};

use diesel::prelude::*;

use crate::{
    db::{schema::vendors as v, Db},
    error::ApiError,
    vendors::store,
};

pub fn point_query_rate(db: &Db, seconds: f64, threads: usize) -> Result<f64, ApiError> {
    let ids: Vec<String> = {
        let mut c = db.conn()?;
        v::table.select(v::id).order(v::id.asc()).limit(10_000).load(&mut *c)?
    };
    if ids.is_empty() {
        return Err(ApiError::BadRequest("no vendors to query; run seed-demo first".into()));
    }
    let stop = AtomicBool::new(false);
    let total = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| -> Result<(), ApiError> {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (ids, stop, total) = (&ids, &stop, &total);
                s.spawn(move || -> Result<(), ApiError> {
                    let mut conn = db.conn()?;
                    let mut i = t * 7919;
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        store::get(&mut conn, &ids[i % ids.len()])?;
                        i = i.wrapping_add(104_729);
                        n += 1;
                    }
                    total.fetch_add(n, Ordering::Relaxed);
                    Ok(())
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().map_err(|_| ApiError::Internal("bench thread panicked".into()))??;
        }
        Ok(())
    })?;
    Ok(total.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}
