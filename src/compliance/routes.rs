use actix_web::{get, put, web, HttpResponse};

use super::{
    models::{
        AsOfQuery, ContractCompliance, PortfolioCsvQuery, PortfolioItem, PortfolioQuery, PutCompliancePolicy,
        VendorCompliance,
    },
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    contracts::store as contracts,
    db::DbConn,
    error::{ApiResult, ReadErrors, WriteErrors},
    http::{ids, json::Json, pagination},
    rules::f2::{self, F2Status, Policy},
    state::AppState,
    time,
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(contract_compliance)
        .service(vendor_compliance)
        .service(portfolio)
        .service(portfolio_csv)
        .service(get_policy)
        .service(put_policy);
}

/// The 17.03(2)(f)2 status of a contract on a date.
#[utoipa::path(
    tag = "compliance",
    params(("id" = String, Path, description = "Contract id"), AsOfQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The evaluation, with reasons", body = ContractCompliance), ReadErrors)
)]
#[get("/contracts/{id}/compliance")]
pub async fn contract_compliance(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "contract")?;
    let as_of = query.as_of.unwrap_or_else(time::today);
    let result = state
        .db
        .read(move |c| {
            let mut row = contracts::get_required(c, &id)?;
            row.document_text = None;
            let policy = store::policy(c)?;
            let facts = store::facts(c, std::slice::from_ref(&row))?;
            Ok(ContractCompliance {
                requirement: f2::REQUIREMENT.into(),
                vendor_id: row.vendor_id,
                as_of,
                policy,
                evaluation: f2::evaluate_contract(&facts[0], as_of, policy),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The 17.03(2)(f)2 status of a vendor on a date: the best of its contracts in force.
#[utoipa::path(
    tag = "compliance",
    params(("id" = String, Path, description = "Vendor id"), AsOfQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The evaluation, with each contract's result", body = VendorCompliance), ReadErrors)
)]
#[get("/vendors/{id}/compliance")]
pub async fn vendor_compliance(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "vendor")?;
    let as_of = query.as_of.unwrap_or_else(time::today);
    let result = state
        .db
        .read(move |c| {
            let vendor = vendors::get_required(c, &id)?;
            let policy = store::policy(c)?;
            let rows = store::vendor_contracts(c, &id)?;
            let facts = store::facts(c, &rows)?;
            let e = f2::evaluate_vendor(&vendor.name, vendor.handles_pi, &facts, as_of, policy);
            Ok(VendorCompliance {
                requirement: f2::REQUIREMENT.into(),
                vendor_id: id,
                as_of,
                status: e.status,
                grandfathered_until: e.grandfathered_until,
                policy,
                reason_codes: e.reason_codes,
                reasons: e.reasons,
                contracts: e.contracts,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Scans contracts in id order from `after`, evaluating each, until `want` match `status`.
/// Returns the matches and whether the scan reached the end.
fn scan(
    c: &mut DbConn,
    as_of: chrono::NaiveDate,
    status: Option<F2Status>,
    mut after: Option<String>,
    want: usize,
) -> ApiResult<Vec<PortfolioItem>> {
    const BATCH: i64 = 500;
    let policy = store::policy(c)?;
    let mut out = Vec::new();
    loop {
        let batch = store::contract_batch(c, after.as_deref(), BATCH)?;
        let rows: Vec<_> = batch.iter().map(|(r, _)| r.clone()).collect();
        let facts = store::facts(c, &rows)?;
        for ((row, vendor), fact) in batch.iter().zip(&facts) {
            let e = f2::evaluate_contract(fact, as_of, policy);
            if status.is_none_or(|s| s == e.status) {
                out.push(PortfolioItem {
                    vendor_id: vendor.id.clone(),
                    vendor_name: vendor.name.clone(),
                    vendor_handles_pi: vendor.handles_pi,
                    contract_id: row.id.clone(),
                    contract_title: row.title.clone(),
                    entered_on: fact.entered_on,
                    status: e.status,
                    grandfathered_until: e.grandfathered_until,
                    reasons: e.reasons,
                });
                if out.len() >= want {
                    return Ok(out);
                }
            }
        }
        if (batch.len() as i64) < BATCH {
            return Ok(out);
        }
        after = batch.last().map(|(r, _)| r.id.clone());
    }
}

/// Every contract by (f)2 status, so legal can find the ones that still lack the term.
#[utoipa::path(
    tag = "compliance",
    params(PortfolioQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of contracts with their status", body = pagination::Page<PortfolioItem>), ReadErrors)
)]
#[get("/compliance/contracts")]
pub async fn portfolio(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    query: web::Query<PortfolioQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let as_of = q.as_of.unwrap_or_else(time::today);
    let items = state.db.read_heavy(move |c| scan(c, as_of, q.status, after, limit as usize + 1)).await?;
    Ok(HttpResponse::Ok().json(pagination::page(items, limit, |i| i.contract_id.clone(), |i| i)))
}

fn csv_field(s: &str) -> String {
    // A leading = + - @ makes spreadsheets run the cell as a formula; neutralise it.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The same portfolio as CSV, every matching contract.
#[utoipa::path(
    tag = "compliance",
    params(PortfolioCsvQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "CSV with a header row", body = String, content_type = "text/csv"), ReadErrors)
)]
#[get("/compliance/contracts.csv")]
pub async fn portfolio_csv(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    query: web::Query<PortfolioCsvQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let as_of = q.as_of.unwrap_or_else(time::today);
    let db = state.db.clone();
    // A page of contracts at a time, written as it is evaluated: the portfolio may be large.
    let body = crate::http::stream::body("the compliance CSV", move |out| {
        let io = crate::http::stream::io_error;
        out.write_all(
            b"vendor_id,vendor_name,contract_id,contract_title,entered_on,status,grandfathered_until,reasons\r\n",
        )
        .map_err(io)?;
        let mut after: Option<String> = None;
        loop {
            let page = db.snapshot_blocking(|c| scan(c, as_of, q.status, after.clone(), CSV_PAGE))?;
            let Some(last) = page.last() else { return Ok(()) };
            after = Some(last.contract_id.clone());
            let full = page.len() == CSV_PAGE;
            for i in page {
                let fields = [
                    i.vendor_id,
                    i.vendor_name,
                    i.contract_id,
                    i.contract_title,
                    time::date_text(i.entered_on),
                    i.status.as_str().to_string(),
                    i.grandfathered_until.map(time::date_text).unwrap_or_default(),
                    i.reasons.join(" "),
                ];
                out.write_all(fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",").as_bytes())
                    .map_err(io)?;
                out.write_all(b"\r\n").map_err(io)?;
            }
            if !full {
                return Ok(());
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"f2-compliance-{}.csv\"", time::date_text(as_of)),
        ))
        .streaming(body))
}

/// Contracts evaluated per page of the CSV.
const CSV_PAGE: usize = 1000;

/// The compliance policy in force.
#[utoipa::path(
    tag = "compliance",
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The policy", body = Policy), ReadErrors)
)]
#[get("/settings/compliance")]
pub async fn get_policy(state: web::Data<AppState>, _who: Authorized<perm::ContractsRead>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.db.read(store::policy).await?))
}

/// Set the compliance policy (`renewal_resets_grandfathering`).
#[utoipa::path(
    tag = "compliance",
    request_body = PutCompliancePolicy,
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The policy now in force", body = Policy), WriteErrors)
)]
#[put("/settings/compliance")]
pub async fn put_policy(
    state: web::Data<AppState>,
    who: Authorized<perm::SettingsWrite>,
    body: Json<PutCompliancePolicy>,
) -> ApiResult<HttpResponse> {
    let new = Policy { renewal_resets_grandfathering: body.into_inner().renewal_resets_grandfathering };
    let saved = state
        .db
        .write(move |c| {
            let before = store::policy(c)?;
            store::save_policy(c, new)?;
            audit::record(c, &who.0, Change::updated("settings", "compliance", &before, &new))?;
            Ok(new)
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(super::csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::csv_field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(super::csv_field("plain"), "\"plain\"");
    }
}
