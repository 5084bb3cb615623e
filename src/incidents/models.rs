use chrono::NaiveDate;
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        schema::{incident_resident_counts, incidents},
        stored::{Row, Unreadable},
    },
    error::{ApiError, FieldError},
    patch::double_option,
    rules::incidents::{
        open_obligations, problems, Determination, IncidentStatus, PiElement, Record, ResponsiveAction, Review,
        Timeliness,
    },
    time::date_text,
};

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = incidents, treat_none_as_null = true)]
pub struct IncidentRow {
    pub id: String,
    pub vendor_id: String,
    pub contract_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub discovered_on: String,
    pub discovered_on_approximate: bool,
    pub reported_to_us_on: String,
    /// JSON array of `PiElement`.
    pub pi_elements: String,
    pub data_encrypted: Option<bool>,
    pub key_compromised: Option<bool>,
    pub ma_residents_affected: Option<i64>,
    pub breach_determination: String,
    pub determination_rationale: Option<String>,
    pub ag_notified_on: Option<String>,
    pub ocabr_notified_on: Option<String>,
    pub residents_notified_on: Option<String>,
    pub credit_agencies_notified_on: Option<String>,
    pub law_enforcement_delay: Option<String>,
    pub credit_monitoring_offered: bool,
    pub credit_monitoring_months: Option<i32>,
    /// JSON array of `ResponsiveAction`.
    pub responsive_actions: String,
    /// JSON `Review`.
    pub review: Option<String>,
    pub closed_on: Option<String>,
    /// JSON `Timeliness`, as measured at the last change.
    pub timeliness: Option<String>,
    pub late_report_finding_id: Option<String>,
    pub created_by: String,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = incident_resident_counts)]
pub struct ResidentCountRow {
    pub id: String,
    pub incident_id: String,
    pub ma_residents_affected: Option<i64>,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// One value the Massachusetts resident count had, and who recorded it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResidentCount {
    /// Null: not known at the time.
    pub ma_residents_affected: Option<i64>,
    pub recorded_at: String,
    pub recorded_by: String,
}

impl From<ResidentCountRow> for ResidentCount {
    fn from(r: ResidentCountRow) -> Self {
        ResidentCount {
            ma_residents_affected: r.ma_residents_affected,
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by,
        }
    }
}

/// A security incident at a vendor, as 17.03(2)(j) and c. 93H §3 ask us to record it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Incident {
    pub id: String,
    pub vendor_id: String,
    /// The contract the incident falls under, when named.
    pub contract_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub status: IncidentStatus,
    /// The day the vendor discovered it (or its best estimate).
    #[schema(value_type = String, format = Date)]
    pub discovered_on: NaiveDate,
    pub discovered_on_approximate: bool,
    /// The day the vendor told us.
    #[schema(value_type = String, format = Date)]
    pub reported_to_us_on: NaiveDate,
    pub pi_elements: Vec<PiElement>,
    /// Null: not known.
    pub data_encrypted: Option<bool>,
    pub key_compromised: Option<bool>,
    /// The latest count; null while unknown. Every value is kept in `ma_residents_history`.
    pub ma_residents_affected: Option<i64>,
    /// Oldest first.
    pub ma_residents_history: Vec<ResidentCount>,
    pub breach_determination: Determination,
    pub determination_rationale: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ag_notified_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ocabr_notified_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub residents_notified_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub credit_agencies_notified_on: Option<NaiveDate>,
    /// A law-enforcement request to delay notice (c. 93H §4), in words.
    pub law_enforcement_delay: Option<String>,
    pub credit_monitoring_offered: bool,
    pub credit_monitoring_months: Option<i32>,
    /// Oldest first.
    pub responsive_actions: Vec<ResponsiveAction>,
    /// The post-incident review; needed to close.
    pub review: Option<Review>,
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<NaiveDate>,
    /// The report measured against the strictest breach_notification term naming a deadline in
    /// the vendor's contracts on the discovery day; null when none names one.
    pub report_timeliness: Option<Timeliness>,
    /// The finding raised because the report was late.
    pub late_report_finding_id: Option<String>,
    /// What a breach still owes (notices, credit monitoring), by our reading of c. 93H.
    pub open_obligations: Vec<String>,
    pub created_by: String,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// Serializing our own types cannot fail.
fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl IncidentRow {
    pub fn status(&self) -> Result<IncidentStatus, Unreadable> {
        Row::new("incidents", &self.id).one_of("status", "incident status", &self.status, IncidentStatus::parse)
    }

    pub fn timeliness(&self) -> Result<Option<Timeliness>, Unreadable> {
        self.timeliness.as_deref().map(|t| Row::new("incidents", &self.id).json("timeliness", t)).transpose()
    }

    pub fn view(self, history: Vec<ResidentCount>) -> Result<Incident, Unreadable> {
        let fields = IncidentFields::from_row(&self)?;
        let obligations =
            open_obligations(fields.determination, &fields.pi_elements, &fields.record(crate::time::today()));
        let report_timeliness = self.timeliness()?;
        let closed_on = Row::new("incidents", &self.id).optional_date("closed_on", self.closed_on.as_deref())?;
        Ok(Incident {
            id: self.id,
            vendor_id: self.vendor_id,
            contract_id: self.contract_id,
            title: fields.title,
            description: fields.description,
            status: fields.status,
            discovered_on: fields.discovered_on,
            discovered_on_approximate: fields.discovered_on_approximate,
            reported_to_us_on: fields.reported_to_us_on,
            pi_elements: fields.pi_elements,
            data_encrypted: fields.data_encrypted,
            key_compromised: fields.key_compromised,
            ma_residents_affected: fields.ma_residents_affected,
            ma_residents_history: history,
            breach_determination: fields.determination,
            determination_rationale: fields.determination_rationale,
            ag_notified_on: fields.ag_notified_on,
            ocabr_notified_on: fields.ocabr_notified_on,
            residents_notified_on: fields.residents_notified_on,
            credit_agencies_notified_on: fields.credit_agencies_notified_on,
            law_enforcement_delay: fields.law_enforcement_delay,
            credit_monitoring_offered: fields.credit_monitoring_offered,
            credit_monitoring_months: fields.credit_monitoring_months,
            responsive_actions: fields.responsive_actions,
            review: fields.review,
            closed_on,
            report_timeliness,
            late_report_finding_id: self.late_report_finding_id,
            open_obligations: obligations,
            created_by: self.created_by,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The editable fields, checked the same way on create and update.
#[derive(Debug, Clone)]
pub struct IncidentFields {
    pub contract_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub status: IncidentStatus,
    pub discovered_on: NaiveDate,
    pub discovered_on_approximate: bool,
    pub reported_to_us_on: NaiveDate,
    pub pi_elements: Vec<PiElement>,
    pub data_encrypted: Option<bool>,
    pub key_compromised: Option<bool>,
    pub ma_residents_affected: Option<i64>,
    pub determination: Determination,
    pub determination_rationale: Option<String>,
    pub ag_notified_on: Option<NaiveDate>,
    pub ocabr_notified_on: Option<NaiveDate>,
    pub residents_notified_on: Option<NaiveDate>,
    pub credit_agencies_notified_on: Option<NaiveDate>,
    pub law_enforcement_delay: Option<String>,
    pub credit_monitoring_offered: bool,
    pub credit_monitoring_months: Option<i32>,
    pub responsive_actions: Vec<ResponsiveAction>,
    pub review: Option<Review>,
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn too_long(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    if value.is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(field, format!("at most {max} characters")));
    }
}

/// The most residents one incident can be recorded as affecting: more than live anywhere.
const MAX_RESIDENTS: i64 = 10_000_000_000;

impl IncidentFields {
    pub fn normalized(mut self) -> Self {
        self.title = self.title.trim().to_string();
        self.description = trimmed(self.description);
        self.determination_rationale = trimmed(self.determination_rationale);
        self.law_enforcement_delay = trimmed(self.law_enforcement_delay);
        self.pi_elements.sort();
        self.pi_elements.dedup();
        for a in &mut self.responsive_actions {
            a.action = a.action.trim().to_string();
            a.by = trimmed(a.by.take());
        }
        // Kept in the order things happened, whatever order they were sent in.
        self.responsive_actions.sort_by_key(|a| a.taken_on);
        if let Some(r) = &mut self.review {
            r.conclusions = r.conclusions.trim().to_string();
            r.practice_changes = r.practice_changes.trim().to_string();
            r.participants = r.participants.iter().map(|p| p.trim().to_string()).collect();
        }
        self
    }

    pub fn record(&self, today: NaiveDate) -> Record<'_> {
        Record {
            status: self.status,
            discovered_on: self.discovered_on,
            reported_on: self.reported_to_us_on,
            today,
            determination: self.determination,
            rationale: self.determination_rationale.as_deref(),
            notices: [
                ("ag_notified_on", self.ag_notified_on),
                ("ocabr_notified_on", self.ocabr_notified_on),
                ("residents_notified_on", self.residents_notified_on),
                ("credit_agencies_notified_on", self.credit_agencies_notified_on),
            ],
            credit_monitoring_offered: self.credit_monitoring_offered,
            credit_monitoring_months: self.credit_monitoring_months,
            actions: &self.responsive_actions,
            review: self.review.as_ref(),
        }
    }

    pub fn validate(&self, today: NaiveDate) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self.title.is_empty() || self.title.chars().count() > 300 {
            errors.push(FieldError::new("title", "1 to 300 characters"));
        }
        too_long(&mut errors, "description", self.description.as_deref(), 10_000);
        too_long(&mut errors, "determination_rationale", self.determination_rationale.as_deref(), 10_000);
        too_long(&mut errors, "law_enforcement_delay", self.law_enforcement_delay.as_deref(), 4000);
        if self.ma_residents_affected.is_some_and(|n| !(0..=MAX_RESIDENTS).contains(&n)) {
            errors.push(FieldError::new("ma_residents_affected", "0 or more (null while unknown)"));
        }
        if self.responsive_actions.len() > 500 {
            errors.push(FieldError::new("responsive_actions", "at most 500 actions"));
        }
        for (i, a) in self.responsive_actions.iter().enumerate() {
            if a.action.is_empty() || a.action.chars().count() > 2000 {
                errors.push(FieldError::new(format!("responsive_actions[{i}].action"), "1 to 2000 characters"));
            }
            too_long(&mut errors, &format!("responsive_actions[{i}].by"), a.by.as_deref(), 200);
        }
        if let Some(r) = &self.review {
            if r.participants.is_empty()
                || r.participants.len() > 50
                || r.participants.iter().any(|p| p.is_empty() || p.chars().count() > 200)
            {
                errors.push(FieldError::new("review.participants", "1 to 50 names of 1 to 200 characters"));
            }
            for (field, text) in
                [("review.conclusions", &r.conclusions), ("review.practice_changes", &r.practice_changes)]
            {
                if text.is_empty() || text.chars().count() > 10_000 {
                    errors.push(FieldError::new(field, "1 to 10000 characters"));
                }
            }
        }
        errors.extend(problems(&self.record(today)).into_iter().map(|(f, m)| FieldError::new(f, m)));
        ApiError::unless_empty(errors)
    }

    pub fn from_row(r: &IncidentRow) -> Result<Self, Unreadable> {
        let at = Row::new("incidents", &r.id);
        let day = |column, d: &Option<String>| at.optional_date(column, d.as_deref());
        Ok(IncidentFields {
            contract_id: r.contract_id.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            status: r.status()?,
            discovered_on: at.date("discovered_on", &r.discovered_on)?,
            discovered_on_approximate: r.discovered_on_approximate,
            reported_to_us_on: at.date("reported_to_us_on", &r.reported_to_us_on)?,
            pi_elements: at.json("pi_elements", &r.pi_elements)?,
            data_encrypted: r.data_encrypted,
            key_compromised: r.key_compromised,
            ma_residents_affected: r.ma_residents_affected,
            determination: at.one_of(
                "breach_determination",
                "breach determination",
                &r.breach_determination,
                Determination::parse,
            )?,
            determination_rationale: r.determination_rationale.clone(),
            ag_notified_on: day("ag_notified_on", &r.ag_notified_on)?,
            ocabr_notified_on: day("ocabr_notified_on", &r.ocabr_notified_on)?,
            residents_notified_on: day("residents_notified_on", &r.residents_notified_on)?,
            credit_agencies_notified_on: day("credit_agencies_notified_on", &r.credit_agencies_notified_on)?,
            law_enforcement_delay: r.law_enforcement_delay.clone(),
            credit_monitoring_offered: r.credit_monitoring_offered,
            credit_monitoring_months: r.credit_monitoring_months,
            responsive_actions: at.json("responsive_actions", &r.responsive_actions)?,
            review: r.review.as_deref().map(|t| at.json("review", t)).transpose()?,
        })
    }

    /// Writes the fields into a row, stamping the day it was closed.
    pub fn apply_to(self, row: &mut IncidentRow, today: NaiveDate) -> Result<(), Unreadable> {
        let was = row.status()?;
        row.contract_id = self.contract_id;
        row.title = self.title;
        row.description = self.description;
        row.status = self.status.as_str().into();
        row.discovered_on = date_text(self.discovered_on);
        row.discovered_on_approximate = self.discovered_on_approximate;
        row.reported_to_us_on = date_text(self.reported_to_us_on);
        row.pi_elements = json_text(&self.pi_elements);
        row.data_encrypted = self.data_encrypted;
        row.key_compromised = self.key_compromised;
        row.ma_residents_affected = self.ma_residents_affected;
        row.breach_determination = self.determination.as_str().into();
        row.determination_rationale = self.determination_rationale;
        row.ag_notified_on = self.ag_notified_on.map(date_text);
        row.ocabr_notified_on = self.ocabr_notified_on.map(date_text);
        row.residents_notified_on = self.residents_notified_on.map(date_text);
        row.credit_agencies_notified_on = self.credit_agencies_notified_on.map(date_text);
        row.law_enforcement_delay = self.law_enforcement_delay;
        row.credit_monitoring_offered = self.credit_monitoring_offered;
        row.credit_monitoring_months = self.credit_monitoring_months;
        row.responsive_actions = json_text(&self.responsive_actions);
        row.review = self.review.as_ref().map(json_text);
        row.closed_on = match (was, self.status) {
            (IncidentStatus::Open, IncidentStatus::Closed) => Some(date_text(today)),
            (IncidentStatus::Closed, IncidentStatus::Closed) => row.closed_on.take(),
            _ => None,
        };
        Ok(())
    }
}

fn default_determination() -> Determination {
    Determination::Pending
}

fn default_status() -> IncidentStatus {
    IncidentStatus::Open
}

/// A new incident. `reported_to_us_on` is compared with the contract's breach-notification term;
/// a late report raises a finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Payroll export exposed", "discovered_on": "2026-10-01", "reported_to_us_on": "2026-10-06",
    "pi_elements": ["ssn"], "data_encrypted": false, "ma_residents_affected": null,
    "responsive_actions": [{"taken_on": "2026-10-06", "action": "Revoked the vendor's SFTP access"}]}))]
pub struct CreateIncident {
    pub contract_id: Option<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    pub description: Option<String>,
    #[serde(default = "default_status")]
    pub status: IncidentStatus,
    #[schema(value_type = String, format = Date)]
    pub discovered_on: NaiveDate,
    #[serde(default)]
    pub discovered_on_approximate: bool,
    #[schema(value_type = String, format = Date)]
    pub reported_to_us_on: NaiveDate,
    #[serde(default)]
    pub pi_elements: Vec<PiElement>,
    pub data_encrypted: Option<bool>,
    pub key_compromised: Option<bool>,
    #[schema(minimum = 0)]
    pub ma_residents_affected: Option<i64>,
    #[serde(default = "default_determination")]
    pub breach_determination: Determination,
    pub determination_rationale: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ag_notified_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ocabr_notified_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub residents_notified_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub credit_agencies_notified_on: Option<NaiveDate>,
    pub law_enforcement_delay: Option<String>,
    #[serde(default)]
    pub credit_monitoring_offered: bool,
    pub credit_monitoring_months: Option<i32>,
    #[serde(default)]
    pub responsive_actions: Vec<ResponsiveAction>,
    pub review: Option<Review>,
}

impl CreateIncident {
    pub fn fields(self) -> IncidentFields {
        IncidentFields {
            contract_id: self.contract_id,
            title: self.title,
            description: self.description,
            status: self.status,
            discovered_on: self.discovered_on,
            discovered_on_approximate: self.discovered_on_approximate,
            reported_to_us_on: self.reported_to_us_on,
            pi_elements: self.pi_elements,
            data_encrypted: self.data_encrypted,
            key_compromised: self.key_compromised,
            ma_residents_affected: self.ma_residents_affected,
            determination: self.breach_determination,
            determination_rationale: self.determination_rationale,
            ag_notified_on: self.ag_notified_on,
            ocabr_notified_on: self.ocabr_notified_on,
            residents_notified_on: self.residents_notified_on,
            credit_agencies_notified_on: self.credit_agencies_notified_on,
            law_enforcement_delay: self.law_enforcement_delay,
            credit_monitoring_offered: self.credit_monitoring_offered,
            credit_monitoring_months: self.credit_monitoring_months,
            responsive_actions: self.responsive_actions,
            review: self.review,
        }
        .normalized()
    }
}

/// Fields to change; `null` clears the nullable ones. Lists are replaced whole. Closing
/// (`status: closed`) needs a review, given here or earlier, and a breach determination.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ma_residents_affected": 1200, "breach_determination": "breach",
    "determination_rationale": "Unencrypted SSNs of Massachusetts residents were taken.", "ag_notified_on": "2026-10-09"}))]
pub struct UpdateIncident {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contract_id: Option<Option<String>>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub status: Option<IncidentStatus>,
    #[schema(value_type = Option<String>, format = Date)]
    pub discovered_on: Option<NaiveDate>,
    pub discovered_on_approximate: Option<bool>,
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_to_us_on: Option<NaiveDate>,
    pub pi_elements: Option<Vec<PiElement>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub data_encrypted: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub key_compromised: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub ma_residents_affected: Option<Option<i64>>,
    pub breach_determination: Option<Determination>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub determination_rationale: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ag_notified_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ocabr_notified_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub residents_notified_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub credit_agencies_notified_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub law_enforcement_delay: Option<Option<String>>,
    pub credit_monitoring_offered: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub credit_monitoring_months: Option<Option<i32>>,
    pub responsive_actions: Option<Vec<ResponsiveAction>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Review>)]
    pub review: Option<Option<Review>>,
}

impl UpdateIncident {
    pub fn apply(self, mut f: IncidentFields) -> IncidentFields {
        use crate::patch::Patch;
        self.contract_id.apply_to(&mut f.contract_id);
        self.title.apply_to(&mut f.title);
        self.description.apply_to(&mut f.description);
        self.status.apply_to(&mut f.status);
        self.discovered_on.apply_to(&mut f.discovered_on);
        self.discovered_on_approximate.apply_to(&mut f.discovered_on_approximate);
        self.reported_to_us_on.apply_to(&mut f.reported_to_us_on);
        self.pi_elements.apply_to(&mut f.pi_elements);
        self.data_encrypted.apply_to(&mut f.data_encrypted);
        self.key_compromised.apply_to(&mut f.key_compromised);
        self.ma_residents_affected.apply_to(&mut f.ma_residents_affected);
        self.breach_determination.apply_to(&mut f.determination);
        self.determination_rationale.apply_to(&mut f.determination_rationale);
        self.ag_notified_on.apply_to(&mut f.ag_notified_on);
        self.ocabr_notified_on.apply_to(&mut f.ocabr_notified_on);
        self.residents_notified_on.apply_to(&mut f.residents_notified_on);
        self.credit_agencies_notified_on.apply_to(&mut f.credit_agencies_notified_on);
        self.law_enforcement_delay.apply_to(&mut f.law_enforcement_delay);
        self.credit_monitoring_offered.apply_to(&mut f.credit_monitoring_offered);
        self.credit_monitoring_months.apply_to(&mut f.credit_monitoring_months);
        self.responsive_actions.apply_to(&mut f.responsive_actions);
        self.review.apply_to(&mut f.review);
        f.normalized()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    pub status: Option<IncidentStatus>,
    pub breach_determination: Option<Determination>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The query of the list across vendors: the vendor's list's, plus the vendor.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AllIncidentsQuery {
    pub vendor_id: Option<String>,
    pub status: Option<IncidentStatus>,
    pub breach_determination: Option<Determination>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
