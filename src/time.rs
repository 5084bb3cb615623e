//! Timestamps are stored and sent as RFC 3339 UTC with a fixed width (microseconds, `Z`), so that
//! text order is time order in both databases.

use chrono::{DateTime, Utc};

pub fn format(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn now() -> String {
    format(Utc::now())
}

/// Calendar dates are stored as `YYYY-MM-DD` text.
pub fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// Stored dates and timestamps are read back by `db::stored::Row`, which names the table, row and
// column of one that does not parse.

/// "Today" for `as_of` defaults, in UTC.
pub fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_width_sorts_as_time() {
        let a = super::format(chrono::DateTime::from_timestamp(1_000_000_000, 5_000).unwrap());
        let b = super::format(chrono::DateTime::from_timestamp(1_000_000_000, 500_000_000).unwrap());
        assert_eq!(a, "2001-09-09T01:46:40.000005Z");
        assert!(a < b);
        assert_eq!(a.len(), b.len());
    }
}
