//! Keyset pagination: the cursor is the sort key and id of the last item, opaque to clients.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{de::DeserializeOwned, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!("limit {n} is out of range 1..={MAX_LIMIT}"))),
    }
}

/// The page size and the decoded cursor of a list request.
pub fn window<K: DeserializeOwned>(
    limit_param: Option<i64>,
    cursor: Option<&str>,
) -> Result<(i64, Option<K>), ApiError> {
    Ok((limit(limit_param)?, cursor.map(decode::<K>).transpose()?))
}

/// `?limit=&cursor=` for lists with no filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// A cursor is only ever one this API issued (`next_cursor`); anything else, an empty one
/// included, is a 400, as the spec's `cursor` parameter says.
pub fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    Some(cursor)
        .filter(|c| crate::http::formats::matches(crate::http::formats::CURSOR, c))
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            ApiError::InvalidCursor("cursor is not one this API issued: pass a next_cursor as it came, or none".into())
        })
}

/// Builds a page from `limit + 1` fetched rows: the extra row only tells whether there is more.
pub fn page<R, T: ToSchema, K: Serialize>(
    rows: Vec<R>,
    limit: i64,
    key_of: impl Fn(&R) -> K,
    to_item: impl FnMut(R) -> T,
) -> Page<T> {
    let (rows, next_cursor) = cut(rows, limit, key_of);
    Page { items: rows.into_iter().map(to_item).collect(), next_cursor }
}

/// The first `limit` rows (the query fetched one more), and the cursor after them if there are
/// more.
fn cut<R, K: Serialize>(mut rows: Vec<R>, limit: i64, key_of: impl Fn(&R) -> K) -> (Vec<R>, Option<String>) {
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if has_more { rows.last().map(|r| encode(&key_of(r))) } else { None };
    (rows, next_cursor)
}

/// `page` where making an item can fail (a stored value that does not read back).
pub fn try_page<R, T: ToSchema, K: Serialize, E>(
    rows: Vec<R>,
    limit: i64,
    key_of: impl Fn(&R) -> K,
    to_item: impl FnMut(R) -> Result<T, E>,
) -> Result<Page<T>, E> {
    let (rows, next_cursor) = cut(rows, limit, key_of);
    Ok(Page { items: rows.into_iter().map(to_item).collect::<Result<_, E>>()?, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(500)).unwrap(), 500);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(501)).is_err());
        let c = encode(&("acme".to_string(), "id-1".to_string()));
        assert_eq!(decode::<(String, String)>(&c).unwrap(), ("acme".into(), "id-1".into()));
        assert!(decode::<(String, String)>("!!").is_err());
        assert!(decode::<(String, String)>("").is_err(), "an empty cursor is not one we issued");
        assert!(decode::<(String, String)>(&(c.clone() + "=")).is_err());
        assert!(decode::<(String, String)>(&encode(&5)).is_err());
    }

    #[test]
    fn page_uses_the_extra_row_only_to_signal_more() {
        #[derive(ToSchema, Serialize)]
        struct I(i32);
        let p = page(vec![1, 2, 3], 2, |r| *r, I);
        assert_eq!(p.items.len(), 2);
        assert_eq!(decode::<i32>(p.next_cursor.as_deref().unwrap()).unwrap(), 2);
        let p = page(vec![1, 2], 2, |r| *r, I);
        assert!(p.next_cursor.is_none());
    }
}
