use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::{
    db::{
        schema::vendors,
        stored::{Row, Unreadable},
    },
    patch::{double_option, Patch},
    rules::{
        risk_tier::{risk_tier, PiProfile},
        vendor_profile::{Access, Criticality, PiElement, VendorStatus},
    },
};

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = vendors, treat_none_as_null = true)]
pub struct VendorRow {
    pub id: String,
    pub name: String,
    pub name_key: String,
    pub legal_name: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub status: String,
    pub owner_email: Option<String>,
    pub handles_pi: bool,
    pub pi_elements: String,
    pub records_estimate: Option<i64>,
    pub access: String,
    pub criticality: String,
    pub risk_tier: i32,
    pub tags: String,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

/// A service provider under 201 CMR 17.03(2)(f).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Vendor {
    #[schema(example = "0193a0c4-6a3e-7cc2-9b1e-5f0c2d7a1e11")]
    pub id: String,
    #[schema(example = "Acme Payroll")]
    pub name: String,
    pub legal_name: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub status: VendorStatus,
    pub owner_email: Option<String>,
    /// Whether the vendor receives, stores, processes or may access personal information of
    /// Massachusetts residents.
    pub handles_pi: bool,
    pub pi_elements: Vec<PiElement>,
    pub records_estimate: Option<i64>,
    pub access: Access,
    pub criticality: Criticality,
    /// 1 (highest) to 3, derived from the PI profile and criticality; see `crates/oversee-rules/src/risk_tier.rs`.
    #[schema(minimum = 1, maximum = 3)]
    pub risk_tier: i32,
    pub tags: Vec<String>,
    /// Increases with every change; also sent as the `ETag`.
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    /// Set when the vendor was archived; archived vendors are hidden from lists by default.
    pub archived_at: Option<String>,
}

impl TryFrom<VendorRow> for Vendor {
    type Error = Unreadable;

    fn try_from(r: VendorRow) -> Result<Self, Unreadable> {
        let at = Row::new("vendors", &r.id);
        Ok(Vendor {
            status: at.one_of("status", "vendor status", &r.status, VendorStatus::parse)?,
            pi_elements: at.json("pi_elements", &r.pi_elements)?,
            access: at.one_of("access", "kind of access", &r.access, Access::parse)?,
            criticality: at.one_of("criticality", "criticality", &r.criticality, Criticality::parse)?,
            tags: at.json("tags", &r.tags)?,
            id: r.id,
            name: r.name,
            legal_name: r.legal_name,
            website: r.website,
            description: r.description,
            owner_email: r.owner_email,
            handles_pi: r.handles_pi,
            records_estimate: r.records_estimate,
            risk_tier: r.risk_tier,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            archived_at: r.archived_at,
        })
    }
}

/// The editable fields of a vendor, after defaults and a patch are applied. Create and update
/// both validate this one shape, so the rules cannot drift apart.
#[derive(Debug, Clone, Validate)]
#[validate(schema(function = "check_pi_profile", skip_on_field_errors = false))]
pub struct VendorFields {
    #[validate(custom(function = "non_blank"), length(max = 200, message = "at most 200 characters"))]
    pub name: String,
    #[validate(length(max = 300, message = "at most 300 characters"))]
    pub legal_name: Option<String>,
    #[validate(custom(function = "web_url"))]
    pub website: Option<String>,
    #[validate(length(max = 10000, message = "at most 10000 characters"))]
    pub description: Option<String>,
    pub status: VendorStatus,
    #[validate(email(message = "not an email address"), length(max = 254, message = "at most 254 characters"))]
    pub owner_email: Option<String>,
    pub handles_pi: bool,
    pub pi_elements: Vec<PiElement>,
    #[validate(range(min = 0, message = "must not be negative"))]
    pub records_estimate: Option<i64>,
    pub access: Access,
    pub criticality: Criticality,
    #[validate(length(max = 50, message = "at most 50 tags"), custom(function = "valid_tags"))]
    pub tags: Vec<String>,
}

pub fn non_blank(s: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() {
        return Err(ValidationError::new("blank").with_message("must not be empty".into()));
    }
    Ok(())
}

fn web_url(s: &str) -> Result<(), ValidationError> {
    // The pattern is the whole rule, so the spec (which publishes it) and the server agree.
    let ok = crate::http::formats::matches(crate::http::formats::WEB_URL, s) && s.len() <= 2000;
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("url").with_message("must be an http(s) URL of at most 2000 characters".into()))
    }
}

fn valid_tags(tags: &[String]) -> Result<(), ValidationError> {
    for t in tags {
        if t.is_empty() || t.chars().count() > 64 || t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(ValidationError::new("tag")
                .with_message(format!("tag '{t}' must be 1 to 64 characters without spaces").into()));
        }
    }
    Ok(())
}

fn check_pi_profile(f: &VendorFields) -> Result<(), ValidationError> {
    if !f.handles_pi && !f.pi_elements.is_empty() {
        return Err(ValidationError::new("pi_elements")
            .with_message("pi_elements are listed but handles_pi is false; set handles_pi to true".into()));
    }
    if !f.handles_pi && f.access != Access::None {
        return Err(ValidationError::new("access")
            .with_message("access describes how the vendor touches PI; with handles_pi false it must be none".into()));
    }
    if f.handles_pi && f.access == Access::None {
        return Err(ValidationError::new("access")
            .with_message("a vendor that handles PI must store, process or transmit it (access is none)".into()));
    }
    Ok(())
}

impl VendorFields {
    /// Validates the record a patch leaves. A website stored under an earlier, looser rule (user
    /// information, a non-ASCII host) is kept as it is while the patch leaves it alone: a patch
    /// is refused for what it changes, not for what it did not touch.
    pub fn validate_patched(&self, website_untouched: bool) -> Result<(), crate::error::ApiError> {
        match self.validate() {
            Ok(()) => Ok(()),
            Err(mut errors) => {
                if website_untouched {
                    errors.errors_mut().remove("website");
                }
                if errors.is_empty() {
                    Ok(())
                } else {
                    Err(errors.into())
                }
            }
        }
    }

    /// Trims text, lowercases and sorts tags, sorts PI elements, and drops duplicates, so equal
    /// inputs store equal rows.
    pub fn normalized(mut self) -> Self {
        let trim = |o: Option<String>| o.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.name = self.name.trim().to_string();
        self.legal_name = trim(self.legal_name);
        self.website = trim(self.website);
        self.description = trim(self.description);
        self.owner_email = trim(self.owner_email);
        self.tags = self.tags.iter().map(|t| t.trim().to_lowercase()).collect();
        self.tags.sort();
        self.tags.dedup();
        self.pi_elements.sort();
        self.pi_elements.dedup();
        self
    }

    pub fn risk_tier(&self) -> i32 {
        risk_tier(&PiProfile {
            handles_pi: self.handles_pi,
            pi_elements: &self.pi_elements,
            records_estimate: self.records_estimate,
            access: self.access,
            criticality: self.criticality,
        })
    }

    pub fn from_vendor(v: &Vendor) -> VendorFields {
        VendorFields {
            name: v.name.clone(),
            legal_name: v.legal_name.clone(),
            website: v.website.clone(),
            description: v.description.clone(),
            status: v.status,
            owner_email: v.owner_email.clone(),
            handles_pi: v.handles_pi,
            pi_elements: v.pi_elements.clone(),
            records_estimate: v.records_estimate,
            access: v.access,
            criticality: v.criticality,
            tags: v.tags.clone(),
        }
    }

    /// The row for these fields; `base` carries id, version and timestamps.
    pub fn into_row(self, base: RowMeta) -> VendorRow {
        let risk_tier = self.risk_tier();
        VendorRow {
            id: base.id,
            name_key: self.name.to_lowercase(),
            name: self.name,
            legal_name: self.legal_name,
            website: self.website,
            description: self.description,
            status: self.status.as_str().to_string(),
            owner_email: self.owner_email,
            handles_pi: self.handles_pi,
            pi_elements: serde_json::to_string(&self.pi_elements).unwrap_or_else(|_| "[]".into()),
            records_estimate: self.records_estimate,
            access: self.access.as_str().to_string(),
            criticality: self.criticality.as_str().to_string(),
            risk_tier,
            tags: serde_json::to_string(&self.tags).unwrap_or_else(|_| "[]".into()),
            version: base.version,
            created_at: base.created_at,
            updated_at: base.updated_at,
            archived_at: base.archived_at,
        }
    }
}

pub struct RowMeta {
    pub id: String,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

fn default_status() -> VendorStatus {
    VendorStatus::Prospect
}
fn default_access() -> Access {
    Access::None
}
fn default_criticality() -> Criticality {
    Criticality::Medium
}

/// A new vendor. Only `name` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Payroll", "status": "active", "owner_email": "buyer@example.com",
    "handles_pi": true, "pi_elements": ["ssn", "financial_account"], "records_estimate": 25000,
    "access": "stores", "criticality": "high", "tags": ["payroll"]}))]
pub struct CreateVendor {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 300)]
    pub legal_name: Option<String>,
    /// An http(s) URL.
    #[schema(pattern = "^https?://", max_length = 2000)]
    pub website: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Default `prospect`.
    #[serde(default = "default_status")]
    pub status: VendorStatus,
    #[schema(format = Email, max_length = 254)]
    pub owner_email: Option<String>,
    /// When true, `access` must not be `none`; when false, `pi_elements` must be empty and
    /// `access` must be `none`.
    #[serde(default)]
    pub handles_pi: bool,
    #[serde(default)]
    pub pi_elements: Vec<PiElement>,
    #[schema(minimum = 0)]
    pub records_estimate: Option<i64>,
    /// Default `none`.
    #[serde(default = "default_access")]
    pub access: Access,
    /// Default `medium`.
    #[serde(default = "default_criticality")]
    pub criticality: Criticality,
    /// Up to 50 tags of 1 to 64 characters without spaces; stored lowercased.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub tags: Vec<String>,
}

impl From<CreateVendor> for VendorFields {
    fn from(c: CreateVendor) -> Self {
        VendorFields {
            name: c.name,
            legal_name: c.legal_name,
            website: c.website,
            description: c.description,
            status: c.status,
            owner_email: c.owner_email,
            handles_pi: c.handles_pi,
            pi_elements: c.pi_elements,
            records_estimate: c.records_estimate,
            access: c.access,
            criticality: c.criticality,
            tags: c.tags,
        }
    }
}

/// Fields to change; absent fields stay as they are, `null` clears a nullable field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"criticality": "critical", "owner_email": null}))]
pub struct UpdateVendor {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub legal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^https?://")]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub status: Option<VendorStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Email)]
    pub owner_email: Option<Option<String>>,
    pub handles_pi: Option<bool>,
    pub pi_elements: Option<Vec<PiElement>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub records_estimate: Option<Option<i64>>,
    pub access: Option<Access>,
    pub criticality: Option<Criticality>,
    pub tags: Option<Vec<String>>,
}

impl UpdateVendor {
    pub fn apply(self, mut f: VendorFields) -> VendorFields {
        self.name.apply_to(&mut f.name);
        self.legal_name.apply_to(&mut f.legal_name);
        self.website.apply_to(&mut f.website);
        self.description.apply_to(&mut f.description);
        self.status.apply_to(&mut f.status);
        self.owner_email.apply_to(&mut f.owner_email);
        self.handles_pi.apply_to(&mut f.handles_pi);
        self.pi_elements.apply_to(&mut f.pi_elements);
        self.records_estimate.apply_to(&mut f.records_estimate);
        self.access.apply_to(&mut f.access);
        self.criticality.apply_to(&mut f.criticality);
        self.tags.apply_to(&mut f.tags);
        f
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
pub enum VendorSort {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VendorQuery {
    pub status: Option<VendorStatus>,
    #[param(minimum = 1, maximum = 3)]
    pub risk_tier: Option<i32>,
    pub handles_pi: Option<bool>,
    /// Vendors carrying this tag (case-insensitive).
    pub tag: Option<String>,
    /// Name contains this text (case-insensitive).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Include archived vendors (default false).
    pub include_archived: Option<bool>,
    /// `name` (default), `-name`, `created_at` or `-created_at`.
    pub sort: Option<VendorSort>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
