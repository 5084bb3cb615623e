//! An iCalendar (RFC 5545) all-day event for a deadline, attached to each reminder. The UID is
//! the same for every reminder of one deadline, so a calendar updates one event instead of
//! adding six.

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub struct Event<'a> {
    pub uid: &'a str,
    pub day: NaiveDate,
    pub summary: &'a str,
    pub description: &'a str,
    pub url: &'a str,
    pub stamp: DateTime<Utc>,
}

pub fn calendar(e: &Event) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Oversee//Reminders//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", text(e.uid)),
        format!("DTSTAMP:{}", e.stamp.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;VALUE=DATE:{}", e.day.format("%Y%m%d")),
        format!("DTEND;VALUE=DATE:{}", (e.day + Duration::days(1)).format("%Y%m%d")),
        format!("SUMMARY:{}", text(e.summary)),
        format!("DESCRIPTION:{}", text(e.description)),
        format!("URL:{}", e.url),
        "TRANSP:TRANSPARENT".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Ends the line with CRLF, folding it so no line exceeds 75 octets (§3.1), never inside a
/// UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(summary: &str) -> String {
        calendar(&Event {
            uid: "contract_renewal.01J@oversee",
            day: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
            summary,
            description: "Line one\nLine two; with, punctuation \\ backslash",
            url: "http://127.0.0.1:8080/api/v1/contracts/01J",
            stamp: DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().with_timezone(&Utc),
        })
    }

    #[test]
    fn an_all_day_event_on_the_deadline() {
        let ics = event("Renewal");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nDTSTART;VALUE=DATE:20270331\r\n"));
        assert!(ics.contains("\r\nDTEND;VALUE=DATE:20270401\r\n"), "DTEND is exclusive: the next day");
        assert!(ics.contains("\r\nDTSTAMP:20261125T100000Z\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "only CRLF line ends");
    }

    #[test]
    fn text_is_escaped() {
        let ics = event("A; B, C");
        assert!(ics.contains("SUMMARY:A\\; B\\, C\r\n"));
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two\\; with\\, punctuation \\\\ backslash\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let summary = "é".repeat(100);
        let ics = event(&summary);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{summary}\r\n")));
    }
}
