use diesel::prelude::*;

use crate::{
    db::{
        schema::idempotency_keys as k,
        stored::{Row, Unreadable},
        DbConn,
    },
    error::ApiError,
};

#[derive(Queryable, Debug)]
pub struct StoredKey {
    pub principal: String,
    pub idem_key: String,
    pub request_hash: String,
    pub status_code: Option<i32>,
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
    pub created_at: String,
    /// The response carried a secret: only its status and headers were kept.
    pub redacted: bool,
}

impl StoredKey {
    /// The response headers kept for replay.
    pub fn headers(&self) -> Result<Vec<(String, String)>, Unreadable> {
        let row = format!("{}/{}", self.principal, self.idem_key);
        match self.response_headers.as_deref() {
            Some(text) => Row::new("idempotency_keys", &row).json("response_headers", text),
            None => Ok(vec![]),
        }
    }
}

pub enum Claim {
    /// The key is new: the request may run.
    Fresh,
    /// The key was used before; here is what happened.
    Seen(StoredKey),
}

/// Claims the key for this request, or returns the earlier use. Keys older than `cutoff` are
/// forgotten first so they can be reused.
pub fn claim(
    conn: &mut DbConn,
    principal: &str,
    key: &str,
    hash: &str,
    now: &str,
    cutoff: &str,
) -> Result<Claim, ApiError> {
    diesel::delete(
        k::table.filter(k::principal.eq(principal)).filter(k::idem_key.eq(key)).filter(k::created_at.lt(cutoff)),
    )
    .execute(conn)?;
    if let Some(row) =
        k::table.filter(k::principal.eq(principal)).filter(k::idem_key.eq(key)).first::<StoredKey>(conn).optional()?
    {
        return Ok(Claim::Seen(row));
    }
    diesel::insert_into(k::table)
        .values((k::principal.eq(principal), k::idem_key.eq(key), k::request_hash.eq(hash), k::created_at.eq(now)))
        .execute(conn)?;
    Ok(Claim::Fresh)
}

/// Keeps the response for replay; `body` is `None` for a response that carried a secret.
pub fn complete(
    conn: &mut DbConn,
    principal: &str,
    key: &str,
    status: i32,
    headers: &str,
    body: Option<&str>,
) -> Result<(), ApiError> {
    diesel::update(k::table.filter(k::principal.eq(principal)).filter(k::idem_key.eq(key)))
        .set((
            k::status_code.eq(status),
            k::response_headers.eq(headers),
            k::response_body.eq(body),
            k::redacted.eq(body.is_none()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes every key used before `cutoff`; returns how many.
pub fn purge(conn: &mut DbConn, cutoff: &str) -> Result<usize, ApiError> {
    Ok(diesel::delete(k::table.filter(k::created_at.lt(cutoff))).execute(conn)?)
}

/// Releases a claim whose request failed on our side, so that a retry can run.
pub fn release(conn: &mut DbConn, principal: &str, key: &str) -> Result<(), ApiError> {
    diesel::delete(k::table.filter(k::principal.eq(principal)).filter(k::idem_key.eq(key))).execute(conn)?;
    Ok(())
}
