use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::rules::f2::{ContractEvaluation, F2Status, Policy};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The date to evaluate on, `YYYY-MM-DD` (default: today, UTC).
    pub as_of: Option<NaiveDate>,
}

/// The (f)2 status of one contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractCompliance {
    #[schema(example = "201 CMR 17.03(2)(f)2")]
    pub requirement: String,
    pub vendor_id: String,
    pub as_of: NaiveDate,
    pub policy: Policy,
    #[serde(flatten)]
    pub evaluation: ContractEvaluation,
}

/// The (f)2 status of a vendor: the best of its contracts in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorCompliance {
    #[schema(example = "201 CMR 17.03(2)(f)2")]
    pub requirement: String,
    pub vendor_id: String,
    pub as_of: NaiveDate,
    /// Never `not_in_force` at the vendor level.
    pub status: F2Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grandfathered_until: Option<NaiveDate>,
    pub policy: Policy,
    pub reason_codes: Vec<String>,
    pub reasons: Vec<String>,
    /// Each contract's own result.
    pub contracts: Vec<ContractEvaluation>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// The date to evaluate on (default: today, UTC).
    pub as_of: Option<NaiveDate>,
    /// Only contracts with this status.
    pub status: Option<F2Status>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortfolioCsvQuery {
    pub as_of: Option<NaiveDate>,
    pub status: Option<F2Status>,
}

/// One contract in the portfolio view.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioItem {
    pub vendor_id: String,
    pub vendor_name: String,
    pub vendor_handles_pi: bool,
    pub contract_id: String,
    pub contract_title: String,
    pub entered_on: NaiveDate,
    pub status: F2Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grandfathered_until: Option<NaiveDate>,
    pub reasons: Vec<String>,
}

/// The compliance policy: interpretations the regulation leaves open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCompliancePolicy {
    /// True (default): a renewal or amendment executed after 2010-03-01 ends grandfathering from
    /// its execution date (as HIPAA's transition rule). False: only the entry date counts (as
    /// GLBA's 2002 rule).
    pub renewal_resets_grandfathering: bool,
}
