//! Reading stored text back into types. What the code writes always reads back; a value that does
//! not was changed outside the code (or by a bug), and reading it is an error that names the
//! table, the row and the column, never a default standing in for it: in a compliance tool a
//! wrong answer (a date of 1970, an amendment that was a renewal) is worse than none.

use chrono::NaiveDate;

/// A stored value that cannot be read, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored value in {table}.{column} of row {row} cannot be read: {why}")]
pub struct Unreadable {
    pub table: &'static str,
    pub column: &'static str,
    pub row: String,
    pub why: String,
}

/// A stored row, by table and id: reads its columns or says which one is wrong.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub table: &'static str,
    pub id: &'a str,
}

/// At most this much of a bad value is quoted in the error.
const QUOTED: usize = 64;

fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTED) {
        Some((end, _)) => format!("'{}…'", &text[..end]),
        None => format!("'{text}'"),
    }
}

impl<'a> Row<'a> {
    pub fn new(table: &'static str, id: &'a str) -> Self {
        Row { table, id }
    }

    pub fn unreadable(&self, column: &'static str, why: impl Into<String>) -> Unreadable {
        Unreadable { table: self.table, column, row: self.id.to_string(), why: why.into() }
    }

    /// A calendar date, stored as `YYYY-MM-DD` (`time::date_text`).
    pub fn date(&self, column: &'static str, text: &str) -> Result<NaiveDate, Unreadable> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| self.unreadable(column, format!("{} is not a date (YYYY-MM-DD)", quoted(text))))
    }

    pub fn optional_date(&self, column: &'static str, text: Option<&str>) -> Result<Option<NaiveDate>, Unreadable> {
        text.map(|t| self.date(column, t)).transpose()
    }

    /// The day of a stored timestamp (`time::format`: RFC 3339 UTC, fixed width).
    pub fn day_of(&self, column: &'static str, timestamp: &str) -> Result<NaiveDate, Unreadable> {
        chrono::DateTime::parse_from_rfc3339(timestamp)
            .map(|t| t.with_timezone(&chrono::Utc).date_naive())
            .map_err(|_| self.unreadable(column, format!("{} is not a timestamp (RFC 3339)", quoted(timestamp))))
    }

    /// One of a closed set of names (an enum's `parse`), where `what` names the set.
    pub fn one_of<T>(
        &self,
        column: &'static str,
        what: &str,
        text: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, Unreadable> {
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        parse(text).ok_or_else(|| self.unreadable(column, format!("{} is not {article} {what}", quoted(text))))
    }

    /// A JSON document of a known shape.
    pub fn json<T: serde::de::DeserializeOwned>(&self, column: &'static str, text: &str) -> Result<T, Unreadable> {
        serde_json::from_str(text).map_err(|e| self.unreadable(column, format!("not the JSON expected: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: Row = Row { table: "contracts", id: "c1" };

    #[test]
    fn what_the_code_writes_reads_back() {
        let d = NaiveDate::from_ymd_opt(2012, 2, 29).unwrap();
        assert_eq!(ROW.date("entered_on", &crate::time::date_text(d)), Ok(d));
        assert_eq!(ROW.optional_date("ends_on", None), Ok(None));
        let t = chrono::DateTime::from_timestamp(1_330_473_600, 5_000).unwrap();
        assert_eq!(ROW.day_of("created_at", &crate::time::format(t)), Ok(d));
        assert_eq!(ROW.json::<Vec<String>>("tags", r#"["a"]"#), Ok(vec!["a".to_string()]));
        assert_eq!(ROW.one_of("kind", "kind", "x", |s| (s == "x").then_some(1)), Ok(1));
    }

    #[test]
    fn a_value_that_does_not_read_back_names_table_row_and_column() {
        for (got, column, why) in [
            (ROW.date("entered_on", "2012-02-30").unwrap_err(), "entered_on", "'2012-02-30' is not a date"),
            (ROW.date("entered_on", "").unwrap_err(), "entered_on", "'' is not a date"),
            (ROW.optional_date("ends_on", Some("soon")).unwrap_err(), "ends_on", "'soon' is not a date"),
            (ROW.day_of("created_at", "2012-02-29").unwrap_err(), "created_at", "is not a timestamp"),
            (
                ROW.one_of("kind", "contract event kind", "novation", |_| None::<u8>).unwrap_err(),
                "kind",
                "'novation' is not a contract event kind",
            ),
            (ROW.json::<Vec<String>>("tags", "{").unwrap_err(), "tags", "not the JSON expected"),
        ] {
            assert_eq!((got.table, got.column, got.row.as_str()), ("contracts", column, "c1"));
            assert!(got.why.contains(why), "{got}");
            assert!(got.to_string().starts_with(&format!("the stored value in contracts.{column} of row c1")), "{got}");
        }
    }

    #[test]
    fn a_long_bad_value_is_quoted_in_part() {
        let long = "é".repeat(500);
        let why = ROW.date("entered_on", &long).unwrap_err().why;
        assert!(why.chars().count() < 100 && why.contains('…'), "{why}");
    }
}
