use chrono::NaiveDate;
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::schema::vendor_score_snapshots,
    rules::{
        capability::{Component, F1Result},
        f2::{ContractEvaluation, F2Status},
    },
};

/// The 17.03(2)(f)2 part of a score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct F2Summary {
    pub requirement: String,
    pub status: F2Status,
    #[schema(value_type = Option<String>, format = Date)]
    pub grandfathered_until: Option<NaiveDate>,
    pub reason_codes: Vec<String>,
    pub reasons: Vec<String>,
    pub contracts: Vec<ContractEvaluation>,
}

/// A vendor's capability score on a date, every point explained.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VendorScore {
    pub vendor_id: String,
    pub vendor_name: String,
    pub risk_tier: i32,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// 0 to 100, one decimal; the sum of the components' points.
    pub score: f64,
    /// A (90+), B (80+), C (70+), D (60+), F.
    pub grade: String,
    pub model_version: String,
    pub f1: F1Result,
    pub f2: F2Summary,
    pub components: Vec<Component>,
}

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = vendor_score_snapshots)]
pub struct SnapshotRow {
    pub id: String,
    pub vendor_id: String,
    pub computed_at: String,
    pub as_of: String,
    pub score: f64,
    pub grade: String,
    pub f1_status: String,
    pub f2_status: String,
    pub model_version: String,
    pub document: String,
}

/// The score as it was when an input changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Snapshot {
    pub id: String,
    pub computed_at: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: String,
    pub score: f64,
    pub grade: String,
    pub f1_status: String,
    pub f2_status: String,
    pub model_version: String,
}

impl From<SnapshotRow> for Snapshot {
    fn from(r: SnapshotRow) -> Self {
        Snapshot {
            id: r.id,
            computed_at: r.computed_at,
            as_of: r.as_of,
            score: r.score,
            grade: r.grade,
            f1_status: r.f1_status,
            f2_status: r.f2_status,
            model_version: r.model_version,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskyVendor {
    pub vendor_id: String,
    pub name: String,
    pub risk_tier: i32,
    pub score: f64,
    pub grade: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueReassessment {
    pub vendor_id: String,
    pub name: String,
    pub risk_tier: i32,
    /// The last accepted assessment; null when there has never been one.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_accepted_on: Option<NaiveDate>,
    /// When the reassessment was due; null when none was ever accepted.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
}

/// Counts by grade, (f)1 and (f)2 status and tier over active vendors, on one date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioSummary {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub model_version: String,
    pub vendors: usize,
    pub by_grade: std::collections::BTreeMap<String, usize>,
    pub by_f1: std::collections::BTreeMap<String, usize>,
    pub by_f2: std::collections::BTreeMap<String, usize>,
    pub by_tier: std::collections::BTreeMap<String, usize>,
    /// The ten lowest scores (ties by name).
    pub riskiest: Vec<RiskyVendor>,
    /// Vendors handling PI whose reassessment is overdue or who were never assessed (at most 100, most overdue first).
    pub overdue_reassessments: Vec<OverdueReassessment>,
    pub overdue_reassessments_total: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// The date to score on (default: today, UTC). Only facts known on that day count.
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}
