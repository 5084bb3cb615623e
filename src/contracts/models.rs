use chrono::NaiveDate;
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db::{
        schema::contracts,
        stored::{Row, Unreadable},
    },
    error::{validate_all, ApiResult, FieldError},
    patch::{double_option, Patch},
    rules::vendor_profile::text_enum,
    time::date_text,
    vendors::models::non_blank,
};

/// The largest contract text accepted, in bytes.
pub const DOCUMENT_TEXT_MAX: usize = 2 * 1024 * 1024;

text_enum!(
    ContractKind { Msa => "msa", Dpa => "dpa", Sow => "sow", Nda => "nda", Baa => "baa", Order => "order", Other => "other" }
);

text_enum!(
    ContractStatus { Draft => "draft", Active => "active", Expired => "expired", Terminated => "terminated" }
);

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = contracts, treat_none_as_null = true)]
pub struct ContractRow {
    pub id: String,
    pub vendor_id: String,
    pub title: String,
    pub kind: String,
    pub entered_on: String,
    pub effective_on: Option<String>,
    pub ends_on: Option<String>,
    pub auto_renews: bool,
    pub renewal_term_months: Option<i32>,
    pub notice_days: Option<i32>,
    pub status: String,
    pub terminated_on: Option<String>,
    pub value_cents: Option<i64>,
    pub currency: Option<String>,
    pub owner_email: Option<String>,
    pub document_text: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// A contract with a service provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contract {
    pub id: String,
    pub vendor_id: String,
    pub title: String,
    pub kind: ContractKind,
    /// The date the contract was entered into (signed); decides grandfathering under (f)2.
    pub entered_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    /// The last day of the current term; null for an open-ended contract.
    pub ends_on: Option<NaiveDate>,
    pub auto_renews: bool,
    pub renewal_term_months: Option<i32>,
    /// Days of notice needed before `ends_on` to stop a renewal.
    pub notice_days: Option<i32>,
    /// The last day to give notice (`ends_on` minus `notice_days`), when both are set.
    pub notice_deadline: Option<NaiveDate>,
    pub status: ContractStatus,
    /// The last day in force of a terminated contract.
    pub terminated_on: Option<NaiveDate>,
    pub value_cents: Option<i64>,
    pub currency: Option<String>,
    pub owner_email: Option<String>,
    /// Whether a contract text is stored (`document_text` is only returned for a single contract).
    pub has_document: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_text: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl ContractRow {
    /// Whether the contract is a draft, read as a status (an unknown one is an error, not "not a
    /// draft").
    pub fn is_draft(&self) -> Result<bool, Unreadable> {
        let status =
            Row::new("contracts", &self.id).one_of("status", "contract status", &self.status, ContractStatus::parse)?;
        Ok(status == ContractStatus::Draft)
    }
}

impl Contract {
    pub fn from_row(r: ContractRow, with_document: bool) -> Result<Contract, Unreadable> {
        let at = Row::new("contracts", &r.id);
        let ends_on = at.optional_date("ends_on", r.ends_on.as_deref())?;
        let kind = at.one_of("kind", "contract kind", &r.kind, ContractKind::parse)?;
        let status = at.one_of("status", "contract status", &r.status, ContractStatus::parse)?;
        let entered_on = at.date("entered_on", &r.entered_on)?;
        let effective_on = at.optional_date("effective_on", r.effective_on.as_deref())?;
        let terminated_on = at.optional_date("terminated_on", r.terminated_on.as_deref())?;
        Ok(Contract {
            notice_deadline: match (ends_on, r.notice_days) {
                (Some(end), Some(days)) => end.checked_sub_days(chrono::Days::new(days as u64)),
                _ => None,
            },
            id: r.id,
            vendor_id: r.vendor_id,
            title: r.title,
            kind,
            entered_on,
            effective_on,
            ends_on,
            auto_renews: r.auto_renews,
            renewal_term_months: r.renewal_term_months,
            notice_days: r.notice_days,
            status,
            terminated_on,
            value_cents: r.value_cents,
            currency: r.currency,
            owner_email: r.owner_email,
            has_document: r.document_text.is_some(),
            document_text: if with_document { r.document_text } else { None },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The editable fields after defaults or a patch; create and update validate this one shape.
#[derive(Debug, Clone, Validate)]
pub struct ContractFields {
    #[validate(custom(function = "non_blank"), length(max = 300, message = "at most 300 characters"))]
    pub title: String,
    pub kind: ContractKind,
    pub entered_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub auto_renews: bool,
    #[validate(range(min = 1, max = 120, message = "1 to 120 months"))]
    pub renewal_term_months: Option<i32>,
    #[validate(range(min = 0, max = 3650, message = "0 to 3650 days"))]
    pub notice_days: Option<i32>,
    pub status: ContractStatus,
    pub terminated_on: Option<NaiveDate>,
    #[validate(range(min = 0, message = "must not be negative"))]
    pub value_cents: Option<i64>,
    pub currency: Option<String>,
    #[validate(email(message = "not an email address"), length(max = 254, message = "at most 254 characters"))]
    pub owner_email: Option<String>,
    pub document_text: Option<String>,
}

impl ContractFields {
    pub fn normalized(mut self) -> Self {
        let trim = |o: Option<String>| o.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.title = self.title.trim().to_string();
        self.currency = trim(self.currency).map(|c| c.to_ascii_uppercase());
        self.owner_email = trim(self.owner_email);
        self
    }

    fn cross_errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let start = self.effective_on.unwrap_or(self.entered_on);
        if let Some(end) = self.ends_on {
            if end < start || end < self.entered_on {
                e.push(FieldError::new("ends_on", "must not be before entered_on or effective_on"));
            }
        }
        if let Some(t) = self.terminated_on {
            if t < self.entered_on {
                e.push(FieldError::new("terminated_on", "must not be before entered_on"));
            }
        }
        match (self.status, self.terminated_on) {
            (ContractStatus::Terminated, None) => {
                e.push(FieldError::new("terminated_on", "is required when status is terminated"))
            }
            (s, Some(_)) if s != ContractStatus::Terminated => {
                e.push(FieldError::new("status", "must be terminated when terminated_on is set"))
            }
            _ => {}
        }
        if self.status == ContractStatus::Expired && self.ends_on.is_none() {
            e.push(FieldError::new("ends_on", "is required when status is expired"));
        }
        if self.auto_renews {
            if self.renewal_term_months.is_none() {
                e.push(FieldError::new("renewal_term_months", "is required when auto_renews is true"));
            }
            if self.ends_on.is_none() {
                e.push(FieldError::new(
                    "ends_on",
                    "is required when auto_renews is true (the end of the current term)",
                ));
            }
        } else if self.renewal_term_months.is_some() {
            e.push(FieldError::new("renewal_term_months", "only applies when auto_renews is true"));
        }
        match (&self.value_cents, &self.currency) {
            (Some(_), None) => e.push(FieldError::new("currency", "is required with value_cents")),
            (None, Some(_)) => e.push(FieldError::new("value_cents", "is required with currency")),
            _ => {}
        }
        if let Some(c) = &self.currency {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                e.push(FieldError::new("currency", "must be an ISO 4217 code such as USD"));
            }
        }
        if self.document_text.as_ref().is_some_and(|t| t.len() > DOCUMENT_TEXT_MAX) {
            e.push(FieldError::new("document_text", "must be at most 2 MiB"));
        }
        e
    }

    pub fn check(&self) -> ApiResult<()> {
        validate_all(self.validate(), self.cross_errors())
    }

    pub fn from_contract(c: &Contract, document_text: Option<String>) -> ContractFields {
        ContractFields {
            title: c.title.clone(),
            kind: c.kind,
            entered_on: c.entered_on,
            effective_on: c.effective_on,
            ends_on: c.ends_on,
            auto_renews: c.auto_renews,
            renewal_term_months: c.renewal_term_months,
            notice_days: c.notice_days,
            status: c.status,
            terminated_on: c.terminated_on,
            value_cents: c.value_cents,
            currency: c.currency.clone(),
            owner_email: c.owner_email.clone(),
            document_text,
        }
    }

    pub fn into_row(self, meta: ContractMeta) -> ContractRow {
        ContractRow {
            id: meta.id,
            vendor_id: meta.vendor_id,
            title: self.title,
            kind: self.kind.as_str().to_string(),
            entered_on: date_text(self.entered_on),
            effective_on: self.effective_on.map(date_text),
            ends_on: self.ends_on.map(date_text),
            auto_renews: self.auto_renews,
            renewal_term_months: self.renewal_term_months,
            notice_days: self.notice_days,
            status: self.status.as_str().to_string(),
            terminated_on: self.terminated_on.map(date_text),
            value_cents: self.value_cents,
            currency: self.currency,
            owner_email: self.owner_email,
            document_text: self.document_text,
            version: meta.version,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            deleted_at: None,
        }
    }
}

pub struct ContractMeta {
    pub id: String,
    pub vendor_id: String,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

fn default_status() -> ContractStatus {
    ContractStatus::Active
}
fn default_kind() -> ContractKind {
    ContractKind::Msa
}

/// A new contract. `title` and `entered_on` are required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Master services agreement", "kind": "msa", "entered_on": "2009-06-15",
    "ends_on": "2027-06-14", "auto_renews": true, "renewal_term_months": 12, "notice_days": 60,
    "owner_email": "buyer@example.com"}))]
pub struct CreateContract {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// Default `msa`.
    #[serde(default = "default_kind")]
    pub kind: ContractKind,
    pub entered_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub auto_renews: bool,
    #[schema(minimum = 1, maximum = 120)]
    pub renewal_term_months: Option<i32>,
    #[schema(minimum = 0, maximum = 3650)]
    pub notice_days: Option<i32>,
    /// Default `active`.
    #[serde(default = "default_status")]
    pub status: ContractStatus,
    pub terminated_on: Option<NaiveDate>,
    #[schema(minimum = 0)]
    pub value_cents: Option<i64>,
    /// ISO 4217, e.g. `USD`.
    #[schema(min_length = 3, max_length = 3)]
    pub currency: Option<String>,
    #[schema(format = Email)]
    pub owner_email: Option<String>,
    /// The contract's text, up to 2 MiB; used by clause detection.
    pub document_text: Option<String>,
}

impl From<CreateContract> for ContractFields {
    fn from(c: CreateContract) -> Self {
        ContractFields {
            title: c.title,
            kind: c.kind,
            entered_on: c.entered_on,
            effective_on: c.effective_on,
            ends_on: c.ends_on,
            auto_renews: c.auto_renews,
            renewal_term_months: c.renewal_term_months,
            notice_days: c.notice_days,
            status: c.status,
            terminated_on: c.terminated_on,
            value_cents: c.value_cents,
            currency: c.currency,
            owner_email: c.owner_email,
            document_text: c.document_text,
        }
    }
}

/// Fields to change; absent fields stay, `null` clears a nullable field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContract {
    pub title: Option<String>,
    pub kind: Option<ContractKind>,
    pub entered_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    pub auto_renews: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub renewal_term_months: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub notice_days: Option<Option<i32>>,
    pub status: Option<ContractStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub terminated_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub value_cents: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Email)]
    pub owner_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub document_text: Option<Option<String>>,
}

impl UpdateContract {
    pub fn apply(self, mut f: ContractFields) -> ContractFields {
        self.title.apply_to(&mut f.title);
        self.kind.apply_to(&mut f.kind);
        self.entered_on.apply_to(&mut f.entered_on);
        self.effective_on.apply_to(&mut f.effective_on);
        self.ends_on.apply_to(&mut f.ends_on);
        self.auto_renews.apply_to(&mut f.auto_renews);
        self.renewal_term_months.apply_to(&mut f.renewal_term_months);
        self.notice_days.apply_to(&mut f.notice_days);
        self.status.apply_to(&mut f.status);
        self.terminated_on.apply_to(&mut f.terminated_on);
        self.value_cents.apply_to(&mut f.value_cents);
        self.currency.apply_to(&mut f.currency);
        self.owner_email.apply_to(&mut f.owner_email);
        self.document_text.apply_to(&mut f.document_text);
        f
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    pub status: Option<ContractStatus>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ContractFields {
        ContractFields {
            title: "MSA".into(),
            kind: ContractKind::Msa,
            entered_on: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            effective_on: None,
            ends_on: None,
            auto_renews: false,
            renewal_term_months: None,
            notice_days: None,
            status: ContractStatus::Active,
            terminated_on: None,
            value_cents: None,
            currency: None,
            owner_email: None,
            document_text: None,
        }
    }

    fn fields_in_error(f: ContractFields) -> Vec<String> {
        match f.check() {
            Err(crate::error::ApiError::Validation(v)) => v.into_iter().map(|e| e.field).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn consistent_contract_passes() {
        let mut f = fields();
        f.ends_on = NaiveDate::from_ymd_opt(2021, 1, 1);
        f.auto_renews = true;
        f.renewal_term_months = Some(12);
        assert!(f.check().is_ok());
    }

    #[test]
    fn inconsistent_dates_and_terms_are_named() {
        let mut f = fields();
        f.ends_on = NaiveDate::from_ymd_opt(2019, 12, 31);
        assert_eq!(fields_in_error(f), vec!["ends_on"]);
        let mut f = fields();
        f.status = ContractStatus::Terminated;
        assert_eq!(fields_in_error(f), vec!["terminated_on"]);
        let mut f = fields();
        f.terminated_on = NaiveDate::from_ymd_opt(2020, 6, 1);
        assert_eq!(fields_in_error(f), vec!["status"]);
        let mut f = fields();
        f.auto_renews = true;
        assert_eq!(fields_in_error(f), vec!["renewal_term_months", "ends_on"]);
        let mut f = fields();
        f.value_cents = Some(100);
        assert_eq!(fields_in_error(f), vec!["currency"]);
        let mut f = fields();
        f.value_cents = Some(100);
        f.currency = Some("usd".into());
        assert_eq!(fields_in_error(f), vec!["currency"], "normalized() uppercases; raw lowercase is refused");
        let mut f = fields();
        f.notice_days = Some(-1);
        assert_eq!(fields_in_error(f), vec!["notice_days"]);
    }

    #[test]
    fn notice_deadline_is_ends_on_minus_notice_days() {
        let mut f = fields();
        f.ends_on = NaiveDate::from_ymd_opt(2021, 3, 1);
        f.notice_days = Some(1);
        let meta = ContractMeta {
            id: "i".into(),
            vendor_id: "v".into(),
            version: 1,
            created_at: "t".into(),
            updated_at: "t".into(),
        };
        let c = Contract::from_row(f.into_row(meta), false).unwrap();
        assert_eq!(c.notice_deadline, NaiveDate::from_ymd_opt(2021, 2, 28));
    }
}
