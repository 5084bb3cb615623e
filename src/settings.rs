//! Small JSON settings kept in the database (admins change them through the API), each with a
//! default used until it is first saved.

use diesel::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use crate::{
    db::{schema::settings as s, DbConn},
    error::ApiError,
    time,
};

/// The setting saved under `key`, or the default while none is. A saved value that cannot be
/// read is an error naming the key, never quietly the default.
pub fn get<T: DeserializeOwned + Default>(conn: &mut DbConn, key: &str) -> Result<T, ApiError> {
    let value: Option<String> = crate::on_backend!(conn, |c| s::table.find(key).select(s::value).first(c).optional())?;
    match value {
        None => Ok(T::default()),
        Some(v) => serde_json::from_str(&v)
            .map_err(|e| ApiError::Internal(format!("the setting '{key}' in table settings cannot be read: {e}"))),
    }
}

pub fn put<T: Serialize>(conn: &mut DbConn, key: &str, value: &T) -> Result<(), ApiError> {
    let value = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = time::now();
    let exists = s::table.find(key).count().get_result::<i64>(conn)? > 0;
    if exists {
        diesel::update(s::table.find(key)).set((s::value.eq(value), s::updated_at.eq(now))).execute(conn)?;
    } else {
        diesel::insert_into(s::table)
            .values((s::key.eq(key), s::value.eq(value), s::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}
