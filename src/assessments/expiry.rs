//! Assessments whose link ran out before the vendor submitted become `expired`. Run by the
//! server's background loop, and callable directly (the tests do).

use super::{models::Assessment, routes::SUBJECT, store};
use crate::{
    audit::store::{self as audit, Change},
    auth::Principal,
    db::Db,
    error::ApiError,
    rules::assessment_lifecycle::Action,
    time,
};

/// Expires every assessment past its link at `now`; returns how many. Any number of processes
/// may sweep at once: each assessment moves (and is audited) by whichever writes it first, the
/// others find it changed and leave it.
pub fn expire_overdue(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<usize, ApiError> {
    let now = time::format(now);
    db.write_blocking(|c| {
        let mut n = 0;
        for mut row in store::past_their_link(c, &now)? {
            let before = Assessment::try_from(row.clone())?;
            let version = row.version;
            super::routes::transition(&mut row, Action::Expire)?;
            row.updated_at = now.clone();
            row.version += 1;
            if !store::update_unless_changed(c, &row, version)? {
                continue;
            }
            let after = Assessment::try_from(row)?;
            audit::record(
                c,
                &Principal::system(),
                Change::new("expired", SUBJECT, &after.id, Some(&before), Some(&after)),
            )?;
            n += 1;
        }
        Ok(n)
    })
}
