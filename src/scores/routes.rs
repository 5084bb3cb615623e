use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;

use super::{
    inputs,
    models::{OverdueReassessment, PortfolioSummary, RiskyVendor, ScoreQuery, Snapshot, VendorScore},
    snapshots,
};
use crate::{
    auth::{perm, Authorized},
    compliance::store as compliance,
    db::schema::vendors as v,
    error::{ApiResult, ReadErrors},
    http::{ids, pagination},
    rules::capability::{self, F1Status},
    state::AppState,
    time,
    vendors::{models::VendorRow, store as vendors},
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(vendor_score).service(score_history).service(portfolio_summary);
}

/// A vendor's capability score under 17.03(2)(f) on a date, with its (f)1 and (f)2 status and
/// every point explained. The same data and date give the same answer, byte for byte.
#[utoipa::path(
    tag = "scores",
    params(("id" = String, Path, description = "Vendor id"), ScoreQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The score", body = VendorScore), ReadErrors)
)]
#[get("/vendors/{id}/score")]
pub async fn vendor_score(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    path: web::Path<String>,
    query: web::Query<ScoreQuery>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "vendor")?;
    let as_of = query.as_of.unwrap_or_else(time::today);
    let model = state.config.score_model.clone();
    let score = state
        .db
        .read(move |c| {
            let vendor = vendors::get_required(c, &id)?;
            Ok(inputs::score_vendor(c, vendor, as_of, &model)?.0)
        })
        .await?;
    Ok(HttpResponse::Ok().json(score))
}

/// The vendor's score each time an input changed it, newest first.
#[utoipa::path(
    tag = "scores",
    params(("id" = String, Path, description = "Vendor id"), pagination::PageQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of snapshots", body = pagination::Page<Snapshot>), ReadErrors)
)]
#[get("/vendors/{id}/score/history")]
pub async fn score_history(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    path: web::Path<String>,
    query: web::Query<pagination::PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "vendor")?;
    let q = query.into_inner();
    let (limit, before) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let rows = state
        .db
        .read(move |c| {
            vendors::get_required(c, &id)?;
            snapshots::history(c, &id, before, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pagination::page(rows, limit, |r| r.id.clone(), Snapshot::from)))
}

const BATCH: i64 = 500;

fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
    *map.entry(key.to_string()).or_default() += 1;
}

/// The portfolio on a date: counts by grade, (f)1 and (f)2 status and tier, the ten riskiest
/// vendors, and the overdue reassessments. Scores every active vendor, in batches.
#[utoipa::path(
    tag = "scores",
    params(ScoreQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The summary", body = PortfolioSummary), ReadErrors)
)]
#[get("/portfolio/summary")]
pub async fn portfolio_summary(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    query: web::Query<ScoreQuery>,
) -> ApiResult<HttpResponse> {
    let as_of = query.as_of.unwrap_or_else(time::today);
    let model = state.config.score_model.clone();
    let summary = state
        .db
        .read_heavy(move |c| {
            let policy = compliance::policy(c)?;
            let mut s = PortfolioSummary {
                as_of,
                model_version: capability::MODEL_VERSION.into(),
                vendors: 0,
                by_grade: ["A", "B", "C", "D", "F"].iter().map(|g| (g.to_string(), 0)).collect(),
                by_f1: F1Status::ALL.iter().map(|x| (x.as_str().to_string(), 0)).collect(),
                by_f2: BTreeMap::new(),
                by_tier: BTreeMap::new(),
                riskiest: Vec::new(),
                overdue_reassessments: Vec::new(),
                overdue_reassessments_total: 0,
            };
            let mut after: Option<String> = None;
            loop {
                let mut q = v::table.filter(v::archived_at.is_null()).into_boxed();
                if let Some(a) = &after {
                    q = q.filter(v::id.gt(a.clone()));
                }
                let batch: Vec<VendorRow> = q.order(v::id.asc()).limit(BATCH).load(c)?;
                let Some(last) = batch.last() else { break };
                after = Some(last.id.clone());
                let full = batch.len() as i64 == BATCH;
                for inputs in inputs::load(c, batch)? {
                    let score = inputs::evaluate(&inputs, as_of, policy, &model);
                    s.vendors += 1;
                    bump(&mut s.by_grade, &score.grade);
                    bump(&mut s.by_f1, score.f1.status.as_str());
                    bump(&mut s.by_f2, score.f2.status.as_str());
                    bump(&mut s.by_tier, &score.risk_tier.to_string());
                    s.riskiest.push(RiskyVendor {
                        vendor_id: score.vendor_id.clone(),
                        name: score.vendor_name.clone(),
                        risk_tier: score.risk_tier,
                        score: score.score,
                        grade: score.grade.clone(),
                    });
                    s.riskiest.sort_by(|a, b| a.score.total_cmp(&b.score).then_with(|| a.name.cmp(&b.name)));
                    s.riskiest.truncate(10);
                    if inputs.vendor.handles_pi {
                        let last = capability::latest_accepted(&inputs.assessments, as_of);
                        let due = last.map(|a| {
                            let tier = inputs.vendor.risk_tier;
                            capability::next_reassessment(&model, tier, a.decided_on, &inputs.incidents, as_of).due
                        });
                        if due.is_none_or(|d| d < as_of) {
                            s.overdue_reassessments_total += 1;
                            s.overdue_reassessments.push(OverdueReassessment {
                                vendor_id: score.vendor_id,
                                name: score.vendor_name,
                                risk_tier: score.risk_tier,
                                last_accepted_on: last.map(|a| a.decided_on),
                                due_on: due,
                            });
                            // Never assessed first, then the longest overdue; ties by name.
                            s.overdue_reassessments
                                .sort_by(|a, b| a.due_on.cmp(&b.due_on).then_with(|| a.name.cmp(&b.name)));
                            s.overdue_reassessments.truncate(100);
                        }
                    }
                }
                if !full {
                    break;
                }
            }
            Ok(s)
        })
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}
