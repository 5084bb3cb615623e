//! Small JSON settings kept in the database (admins change them through the API), each with a
//! default used until it is first saved.

use diesel::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use crate::{
    db::{schema::settings as s, DbConn},
    error::ApiError,
    time,
};

pub fn get<T: DeserializeOwned + Default>(conn: &mut DbConn, key: &str) -> Result<T, ApiError> {
    let value: Option<String> = crate::on_backend!(conn, |c| s::table.find(key).select(s::value).first(c).optional())?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
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
