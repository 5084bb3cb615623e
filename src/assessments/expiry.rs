//! Assessments whose link ran out before the vendor submitted become `expired`. Run by the
//! server's background loop, and callable directly (the tests do).

use super::{models::Assessment, routes::SUBJECT, store};
use crate::{
    audit::store::{self as audit, Change},
    auth::{Principal, Role},
    db::Db,
    error::ApiError,
    rules::assessment_lifecycle::Action,
    time,
};

/// The principal background jobs act as in the audit trail.
pub fn system() -> Principal {
    Principal { sub: "oversee".into(), role: Role::Admin, assessment_id: None, request_id: None }
}

/// Expires every assessment past its link at `now`; returns how many.
pub fn expire_overdue(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<usize, ApiError> {
    let now = time::format(now);
    db.write_blocking(|c| {
        let mut n = 0;
        for mut row in store::past_their_link(c, &now)? {
            let before = Assessment::from(row.clone());
            super::routes::transition(&mut row, Action::Expire)?;
            row.updated_at = now.clone();
            row.version += 1;
            store::update(c, &row)?;
            let after = Assessment::from(row);
            audit::record(c, &system(), Change::new("expired", SUBJECT, &after.id, Some(&before), Some(&after)))?;
            n += 1;
        }
        Ok(n)
    })
}
