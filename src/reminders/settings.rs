//! Reminder settings: lead days, who receives each kind, role mailboxes, how often the sweep runs
//! and how many times a failing message is tried. Defaults come from the environment until an
//! admin saves them with `PUT /api/v1/settings/reminders`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    config::ReminderDefaults,
    db::DbConn,
    error::{ApiError, FieldError},
    rules::reminders::{Kind, Recipient},
};

const KEY: &str = "reminders";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "lead_days": [90, 60, 30, 14, 7, 1],
    "interval_seconds": 300,
    "max_attempts": 6,
    "mailboxes": {"legal": "legal@example.com", "procurement": "procurement@example.com", "security": null},
    "recipients": {
        "contract_renewal": ["contract_owner", "vendor_owner", "procurement"],
        "contract_notice_deadline": ["contract_owner", "vendor_owner", "procurement", "legal"],
        "assessment_due": ["vendor_owner", "security"],
        "reassessment_due": ["vendor_owner", "security"],
        "finding_due": ["finding_owner", "vendor_owner", "security"]
    }
}))]
pub struct ReminderSettings {
    /// Days before each deadline on which a reminder goes out, 1 to 365 each, at most 12
    /// (the spec's text is `lead_days_schema`'s).
    #[schema(schema_with = lead_days_schema)]
    pub lead_days: Vec<u32>,
    /// How often `serve` looks for reminders to send, in seconds (1 to 86400).
    #[schema(minimum = 1, maximum = 86400)]
    pub interval_seconds: u32,
    /// Attempts per message before it is marked failed (1 to 20); retries back off from a
    /// minute, doubling.
    #[schema(minimum = 1, maximum = 20)]
    pub max_attempts: u32,
    /// Role mailboxes by name (lowercase letters, digits, `_`; not an owner name), at most 50;
    /// `null` keeps a name without an address, so recipients may name it before it is set.
    #[schema(value_type = Mailboxes)]
    pub mailboxes: BTreeMap<String, Option<String>>,
    /// For each kind, who receives it: `vendor_owner`, `contract_owner`, `finding_owner`, or the
    /// name of a mailbox in `mailboxes`. A kind left out goes to nobody.
    #[schema(value_type = RecipientsByKind)]
    pub recipients: BTreeMap<Kind, Vec<Recipient>>,
}

/// 1 to 12 distinct days, each 1 to 365, as `normalize_lead_days` requires.
fn lead_days_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let day = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(365));
    ArrayBuilder::new()
        .items(day)
        .min_items(Some(1))
        .max_items(Some(12))
        .unique_items(true)
        .description(Some(
            "Days before each deadline on which a reminder goes out: 1 to 12 distinct days, each 1 to 365.",
        ))
        .build()
}

/// Role mailbox names and their addresses, as the spec shows them: at most 50 names of lowercase
/// letters, digits and `_`, each with an email address or `null`.
struct Mailboxes;

impl utoipa::PartialSchema for Mailboxes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
        let name = ObjectBuilder::new().schema_type(Type::String).pattern(Some(MAILBOX_NAME));
        let address = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .max_properties(Some(50))
            .property_names(Some(name))
            .additional_properties(Some(address))
            .into()
    }
}

impl ToSchema for Mailboxes {}

/// What a mailbox name is made of (owner names aside, which `check_mailbox` also refuses).
const MAILBOX_NAME: &str = "^[a-z0-9_]{1,40}$";

/// Who receives each kind of reminder; only these kinds may be named.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RecipientsByKind {
    #[serde(default)]
    contract_renewal: Vec<RecipientName>,
    #[serde(default)]
    contract_notice_deadline: Vec<RecipientName>,
    #[serde(default)]
    assessment_due: Vec<RecipientName>,
    #[serde(default)]
    reassessment_due: Vec<RecipientName>,
    #[serde(default)]
    finding_due: Vec<RecipientName>,
}

/// `vendor_owner`, `contract_owner`, `finding_owner`, or the name of a mailbox.
#[derive(ToSchema)]
#[schema(pattern = "^[a-z0-9_]{1,40}$")]
#[allow(dead_code)]
struct RecipientName(String);

impl ReminderSettings {
    pub fn defaults(d: &ReminderDefaults) -> ReminderSettings {
        use Recipient::*;
        let mut mailboxes: BTreeMap<String, Option<String>> =
            ["legal", "procurement", "security"].into_iter().map(|n| (n.to_string(), None)).collect();
        for (name, address) in &d.mailboxes {
            mailboxes.insert(name.clone(), Some(address.clone()));
        }
        let m = |n: &str| Mailbox(n.to_string());
        ReminderSettings {
            lead_days: d.lead_days.clone(),
            interval_seconds: d.interval_seconds,
            max_attempts: 6,
            mailboxes,
            recipients: BTreeMap::from([
                (Kind::ContractRenewal, vec![ContractOwner, VendorOwner, m("procurement")]),
                (Kind::ContractNoticeDeadline, vec![ContractOwner, VendorOwner, m("procurement"), m("legal")]),
                (Kind::AssessmentDue, vec![VendorOwner, m("security")]),
                (Kind::ReassessmentDue, vec![VendorOwner, m("security")]),
                (Kind::FindingDue, vec![FindingOwner, VendorOwner, m("security")]),
            ]),
        }
    }

    /// The mailboxes that have an address.
    pub fn addresses(&self) -> BTreeMap<String, String> {
        self.mailboxes.iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?))).collect()
    }

    pub fn recipients_of(&self, kind: Kind) -> &[Recipient] {
        self.recipients.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Checks every field and puts lead days in order (largest first).
    pub fn validated(mut self) -> Result<ReminderSettings, ApiError> {
        let mut errors = vec![];
        if let Err(e) = normalize_lead_days(&mut self.lead_days) {
            errors.push(FieldError::new("lead_days", e));
        }
        if !(1..=86_400).contains(&self.interval_seconds) {
            errors.push(FieldError::new("interval_seconds", "1 to 86400 seconds"));
        }
        if !(1..=20).contains(&self.max_attempts) {
            errors.push(FieldError::new("max_attempts", "1 to 20"));
        }
        if self.mailboxes.len() > 50 {
            errors.push(FieldError::new("mailboxes", "at most 50"));
        }
        for (name, address) in &self.mailboxes {
            if let Err(e) = check_mailbox(name, address.as_deref()) {
                errors.push(FieldError::new(format!("mailboxes.{name}"), e));
            }
        }
        for (kind, who) in &self.recipients {
            for (i, r) in who.iter().enumerate() {
                if let Recipient::Mailbox(name) = r {
                    if !self.mailboxes.contains_key(name) {
                        errors.push(FieldError::new(
                            format!("recipients.{}[{i}]", kind.as_str()),
                            format!("'{name}' is neither vendor_owner, contract_owner, finding_owner nor a mailbox"),
                        ));
                    }
                }
            }
        }
        ApiError::unless_empty(errors)?;
        Ok(self)
    }
}

/// Sorts lead days largest first; refuses an empty list, more than 12, repeats and days
/// outside 1 to 365.
pub fn normalize_lead_days(days: &mut [u32]) -> Result<(), String> {
    if days.is_empty() || days.len() > 12 {
        return Err("1 to 12 lead days".into());
    }
    if days.iter().any(|d| !(1..=365).contains(d)) {
        return Err("each lead is 1 to 365 days".into());
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    if days.windows(2).any(|w| w[0] == w[1]) {
        return Err("a lead day appears twice".into());
    }
    Ok(())
}

/// A mailbox name is lowercase letters, digits and `_`, and not one of the owner names.
pub fn check_mailbox(name: &str, address: Option<&str>) -> Result<(), String> {
    let well_formed = crate::http::formats::matches(MAILBOX_NAME, name);
    if !well_formed || matches!(name, "vendor_owner" | "contract_owner" | "finding_owner") {
        return Err(format!("'{name}' is not a mailbox name (lowercase letters, digits, _; not an owner name)"));
    }
    if let Some(a) = address {
        if a.parse::<lettre::Address>().is_err() {
            return Err(format!("'{a}' is not an email address"));
        }
    }
    Ok(())
}

pub fn load(conn: &mut DbConn, defaults: &ReminderDefaults) -> Result<ReminderSettings, ApiError> {
    let saved: Option<ReminderSettings> = crate::settings::get(conn, KEY)?;
    Ok(saved.unwrap_or_else(|| ReminderSettings::defaults(defaults)))
}

pub fn save(conn: &mut DbConn, s: &ReminderSettings) -> Result<(), ApiError> {
    crate::settings::put(conn, KEY, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> ReminderSettings {
        ReminderSettings::defaults(&ReminderDefaults {
            lead_days: vec![30, 7],
            interval_seconds: 60,
            in_server: true,
            mailboxes: BTreeMap::from([("legal".into(), "legal@example.com".into())]),
        })
    }

    #[test]
    fn the_defaults_are_valid_and_name_only_known_mailboxes() {
        let s = defaults().validated().unwrap();
        assert_eq!(s.addresses(), BTreeMap::from([("legal".to_string(), "legal@example.com".to_string())]));
        assert!(s.mailboxes.contains_key("procurement"), "named before it has an address");
    }

    #[test]
    fn lead_days_are_sorted_and_checked() {
        let mut s = defaults();
        s.lead_days = vec![1, 90, 30];
        assert_eq!(s.validated().unwrap().lead_days, vec![90, 30, 1]);
        for bad in [vec![], vec![0], vec![366], vec![7, 7], (1..=13).collect()] {
            let mut s = defaults();
            s.lead_days = bad.clone();
            assert!(s.validated().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unknown_mailboxes_and_bad_addresses_are_refused() {
        let mut s = defaults();
        s.recipients.insert(Kind::FindingDue, vec![Recipient::Mailbox("ciso".into())]);
        assert!(s.validated().is_err());
        let mut s = defaults();
        s.mailboxes.insert("legal".into(), Some("legal at example".into()));
        assert!(s.validated().is_err());
        let mut s = defaults();
        s.mailboxes.insert("Legal Team".into(), None);
        assert!(s.validated().is_err());
        let mut s = defaults();
        s.mailboxes.insert("vendor_owner".into(), None);
        assert!(s.validated().is_err());
    }
}
