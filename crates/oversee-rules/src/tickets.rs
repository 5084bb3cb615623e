//! Ticket status events coming in: our own small format, Jira's and ServiceNow's webhook payloads,
//! and the table that maps each system's statuses to finding statuses. Pure, tested below.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::findings::FindingStatus;

/// A status change of one ticket, whatever format it came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketEvent {
    pub system: String,
    pub key: String,
    pub status: String,
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads an event. Jira: `issue.key` and `issue.fields.status.name`. ServiceNow: `number` and
/// `state`. Ours: `system`, `key`, `status`. The error names the field that is missing.
pub fn parse_event(v: &Value) -> Result<TicketEvent, (&'static str, String)> {
    let need = |path: &[&str], field: &'static str| match text(v, path) {
        None => Err((field, format!("missing or empty: {}", path.join(".")))),
        // The payload is another system's; only the values read here must be storable.
        Some(t) if t.contains('\0') => Err((field, "must not contain NUL (\\u0000) characters".to_string())),
        Some(t) => Ok(t),
    };
    if v.get("issue").is_some() {
        return Ok(TicketEvent {
            system: "jira".into(),
            key: need(&["issue", "key"], "issue.key")?,
            status: need(&["issue", "fields", "status", "name"], "issue.fields.status.name")?,
        });
    }
    if v.get("number").is_some() {
        return Ok(TicketEvent {
            system: "servicenow".into(),
            key: need(&["number"], "number")?,
            status: need(&["state"], "state")?,
        });
    }
    Ok(TicketEvent {
        system: need(&["system"], "system")?,
        key: need(&["key"], "key")?,
        status: need(&["status"], "status")?,
    })
}

/// The body `parse_event` reads, for the spec: exactly one of our format, a Jira issue event or
/// a ServiceNow record, told apart as `parse_event` does (an `issue` means Jira, else a `number`
/// means ServiceNow). Each value it reads is a non-blank string or a number.
pub struct TicketEventPayload;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TicketEventPayload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let value = serde_json::json!({"type": ["string", "number"], "pattern": crate::text::NON_BLANK});
        let object = |required: &[&str], properties: serde_json::Value| serde_json::json!({"type": "object", "required": required, "properties": properties});
        let mut ours =
            object(&["system", "key", "status"], serde_json::json!({"system": value, "key": value, "status": value}));
        ours["title"] = "Oversee".into();
        ours["not"] = serde_json::json!({"anyOf": [{"required": ["issue"]}, {"required": ["number"]}]});
        let status = object(&["name"], serde_json::json!({"name": value}));
        let fields = object(&["status"], serde_json::json!({"status": status}));
        let issue = object(&["key", "fields"], serde_json::json!({"key": value, "fields": fields}));
        let mut jira = object(&["issue"], serde_json::json!({"issue": issue}));
        jira["title"] = "Jira issue event".into();
        let mut servicenow = object(&["number", "state"], serde_json::json!({"number": value, "state": value}));
        servicenow["title"] = "ServiceNow record".into();
        servicenow["not"] = serde_json::json!({"required": ["issue"]});
        serde_json::from_value(serde_json::json!({"oneOf": [ours, jira, servicenow]})).expect("a schema")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TicketEventPayload {}

/// For each system, its statuses (compared without case) and the finding status each means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusMap(pub BTreeMap<String, BTreeMap<String, FindingStatus>>);

/// The ticket systems a status map may name.
pub const SYSTEMS: [&str; 4] = ["jira", "servicenow", "github", "other"];

/// A ticket status as a map key: something besides white space.
const STATUS_NAME: &str = crate::text::NON_BLANK;

/// The finding statuses a ticket can mean: every one but `risk_accepted`, which needs a person.
const MAPPABLE: [FindingStatus; 4] =
    [FindingStatus::Open, FindingStatus::InProgress, FindingStatus::AwaitingVerification, FindingStatus::Resolved];

/// The spec says what `normalized` checks: the closed set of systems as named properties, each
/// a map from a non-blank status to a finding status other than `risk_accepted`.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for StatusMap {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let target = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(MAPPABLE.iter().map(|s| s.as_str())))
                .description(Some(
                    "A finding status; never `risk_accepted`, which needs a justification and an approver.",
                ))
        };
        let table = || {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property_names(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(STATUS_NAME))))
                .additional_properties(Some(target()))
        };
        let mut map = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "For each ticket system, its statuses (compared without case or surrounding space) and the finding \
                 status each means. Systems left out keep no statuses.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for system in SYSTEMS {
            map = map.property(system, table());
        }
        map.into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for StatusMap {}

impl Default for StatusMap {
    fn default() -> Self {
        use FindingStatus::*;
        let table = |pairs: &[(&str, FindingStatus)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        StatusMap(BTreeMap::from([
            (
                "jira".to_string(),
                table(&[
                    ("to do", Open),
                    ("open", Open),
                    ("reopened", Open),
                    ("in progress", InProgress),
                    ("in review", InProgress),
                    ("done", Resolved),
                    ("resolved", Resolved),
                    ("closed", Resolved),
                ]),
            ),
            // ServiceNow incident states: 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed.
            (
                "servicenow".to_string(),
                table(&[
                    ("1", Open),
                    ("new", Open),
                    ("2", InProgress),
                    ("in progress", InProgress),
                    ("3", InProgress),
                    ("on hold", InProgress),
                    ("6", Resolved),
                    ("resolved", Resolved),
                    ("7", Resolved),
                    ("closed", Resolved),
                ]),
            ),
            ("github".to_string(), table(&[("open", Open), ("reopened", Open), ("closed", Resolved)])),
            ("other".to_string(), table(&[("open", Open), ("in_progress", InProgress), ("resolved", Resolved)])),
        ]))
    }
}

impl StatusMap {
    pub fn map(&self, system: &str, status: &str) -> Option<FindingStatus> {
        self.0.get(system)?.get(&status.trim().to_lowercase()).copied()
    }

    /// Statuses are stored lowercased; an accepted risk needs a person's justification, so no
    /// ticket status may map to it.
    pub fn normalized(self) -> Result<StatusMap, String> {
        let mut out = BTreeMap::new();
        for (system, table) in self.0 {
            if !SYSTEMS.contains(&system.as_str()) {
                return Err(format!("'{system}' is not a ticket system ({})", SYSTEMS.join(", ")));
            }
            let mut t = BTreeMap::new();
            for (status, to) in table {
                if !MAPPABLE.contains(&to) {
                    return Err(format!("{system} '{status}': accepting a risk needs a justification and an approver"));
                }
                if status.trim().is_empty() {
                    return Err(format!("{system}: a status must not be blank"));
                }
                t.insert(status.trim().to_lowercase(), to);
            }
            out.insert(system, t);
        }
        Ok(StatusMap(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_three_formats() {
        let jira = json!({"webhookEvent": "jira:issue_updated", "issue": {"key": "SEC-142", "fields": {"status": {"name": "Done"}}}});
        assert_eq!(
            parse_event(&jira).unwrap(),
            TicketEvent { system: "jira".into(), key: "SEC-142".into(), status: "Done".into() }
        );
        let snow = json!({"number": "INC0012345", "state": 6, "short_description": "x"});
        assert_eq!(parse_event(&snow).unwrap().status, "6");
        let ours = json!({"system": "github", "key": "acme/vendors#12", "status": "closed"});
        assert_eq!(parse_event(&ours).unwrap().system, "github");
        assert_eq!(parse_event(&json!({"issue": {"key": "SEC-1"}})).unwrap_err().0, "issue.fields.status.name");
        assert_eq!(parse_event(&json!({"number": "INC1"})).unwrap_err().0, "state");
        assert_eq!(parse_event(&json!({"system": "jira", "key": " "})).unwrap_err().0, "key");
        assert_eq!(parse_event(&json!([])).unwrap_err().0, "system");
    }

    #[test]
    fn statuses_map_without_case_and_unknown_ones_do_not() {
        let m = StatusMap::default();
        assert_eq!(m.map("jira", "In Progress"), Some(FindingStatus::InProgress));
        assert_eq!(m.map("jira", " DONE "), Some(FindingStatus::Resolved));
        assert_eq!(m.map("servicenow", "7"), Some(FindingStatus::Resolved));
        assert_eq!(m.map("github", "closed"), Some(FindingStatus::Resolved));
        assert_eq!(m.map("jira", "Backlog"), None);
        assert_eq!(m.map("gitlab", "closed"), None);
    }

    #[test]
    fn a_map_cannot_accept_risks_or_name_unknown_systems() {
        let mut m = StatusMap::default();
        m.0.get_mut("jira").unwrap().insert("Won't Do".into(), FindingStatus::RiskAccepted);
        assert!(m.normalized().is_err());
        let mut m = StatusMap::default();
        m.0.insert("gitlab".into(), BTreeMap::new());
        assert!(m.normalized().is_err());
        let mut m = StatusMap::default();
        m.0.get_mut("jira").unwrap().insert("Backlog".into(), FindingStatus::Open);
        assert_eq!(m.normalized().unwrap().map("jira", "backlog"), Some(FindingStatus::Open));
    }
}
