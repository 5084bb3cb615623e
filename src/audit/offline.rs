//! `oversee audit verify --export FILE`: checks a JSON Lines export with no database. Each line
//! is an event as stored (`ExportedEvent`); the last is the head when the export was made
//! (`ExportTrailer`). Every problem is reported with its line and seq.

use std::io::BufRead;

use super::{
    keys::AuditKeys,
    models::{ExportTrailer, ExportedEvent},
    verify::{BrokenLink, Checker, NotedHead, Verification},
};

/// Reads an export and verifies it. Lines are read one at a time, so an export of any size
/// needs memory for one line.
pub fn verify_export(
    input: impl BufRead,
    keys: &AuditKeys,
    noted: Option<NotedHead>,
) -> Result<Verification, std::io::Error> {
    let mut checker = Checker::new(keys, noted);
    let mut trailer: Option<(u64, ExportTrailer)> = None;
    let mut events = 0i64;
    let mut last_line = 0u64;
    let problem = |line: u64, problem: &str, detail: String| BrokenLink {
        seq: None,
        event_id: None,
        line: Some(line),
        problem: problem.into(),
        detail,
    };
    for (i, text) in input.lines().enumerate() {
        let line = i as u64 + 1;
        let text = text?;
        last_line = line;
        if text.trim().is_empty() {
            continue;
        }
        if let Some((at, _)) = &trailer {
            checker.problem(problem(line, "after_trailer", format!("the export's head was on line {at}")));
            continue;
        }
        if let Ok(event) = serde_json::from_str::<ExportedEvent>(&text) {
            events += 1;
            checker.push(&event.into_row(), Some(line));
        } else if let Ok(t) = serde_json::from_str::<ExportTrailer>(&text) {
            trailer = Some((line, t));
        } else {
            let why = serde_json::from_str::<ExportedEvent>(&text).err().map(|e| e.to_string()).unwrap_or_default();
            checker.problem(problem(line, "unreadable", format!("not an event or the head line: {why}")));
        }
    }
    let head = match &trailer {
        Some((line, t)) => {
            if t.events != events {
                let detail = format!("the head line counts {} events; {events} were read", t.events);
                checker.problem(problem(*line, "head_mismatch", detail));
            }
            Some((t.head_seq, t.chain_head.clone()))
        }
        None => {
            let detail = "the export has no head line: it was cut short".to_string();
            checker.problem(problem(last_line + 1, "no_trailer", detail));
            None
        }
    };
    Ok(checker.finish(head, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{chain, models::AuditRow};

    fn export(n: i64) -> Vec<String> {
        let mut prev = chain::GENESIS.to_string();
        let mut lines: Vec<String> = (1..=n)
            .map(|seq| {
                let mut r = AuditRow {
                    id: format!("0193-{seq}"),
                    occurred_at: "2026-12-02T10:00:00.000000Z".into(),
                    actor_sub: "ünïcode \"quoted\"\n<tab\t>".into(),
                    actor_role: "admin".into(),
                    action: "created".into(),
                    subject_type: "vendor".into(),
                    subject_id: "v".into(),
                    before: None,
                    after: Some(format!("{{\"z\":1,\"a\":[{seq},2.5e-7,null],\"s\":\"\\u0001\"}}")),
                    request_id: Some("req-1".into()),
                    seq: Some(seq),
                    prev_hash: Some(prev.clone()),
                    hash: None,
                    key_id: None,
                };
                let h = chain::hash_of(&r, seq, &prev);
                r.hash = Some(h.clone());
                prev = h;
                serde_json::to_string(&ExportedEvent::of(&r)).unwrap()
            })
            .collect();
        let t = ExportTrailer { chain_head: prev, head_seq: n, events: n };
        lines.push(serde_json::to_string(&t).unwrap());
        lines
    }

    fn verify(lines: &[String]) -> Verification {
        verify_export(lines.join("\n").as_bytes(), &AuditKeys::default(), None).unwrap()
    }

    fn problems(v: &Verification) -> Vec<(Option<u64>, Option<i64>, &str)> {
        v.problems.iter().map(|p| (p.line, p.seq, p.problem.as_str())).collect()
    }

    #[test]
    fn an_export_verifies_from_its_lines_alone() {
        let v = verify(&export(4));
        assert!(v.intact, "{v:?}");
        assert_eq!(v.events, 4);
    }

    #[test]
    fn a_cut_or_padded_export_is_reported() {
        let mut lines = export(3);
        lines.pop();
        let v = verify(&lines);
        assert_eq!(problems(&v), [(Some(4), None, "no_trailer")]);

        let mut lines = export(3);
        lines.push(lines[0].clone());
        let v = verify(&lines);
        assert_eq!(problems(&v), [(Some(5), None, "after_trailer")]);

        let mut lines = export(3);
        lines[1] = "{not json".into();
        let v = verify(&lines);
        let p = problems(&v);
        assert_eq!(p[0], (Some(2), None, "unreadable"));
        assert!(p.contains(&(Some(3), Some(2), "missing")), "{p:?}");
        assert!(p.contains(&(Some(4), None, "head_mismatch")), "{p:?}");
    }
}
