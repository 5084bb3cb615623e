use actix_web::{get, http::header, web, HttpRequest, HttpResponse};

use super::{archive, models::EvidencePack, models::EvidenceQuery, pack};
use crate::{
    auth::{perm, Authorized},
    error::{ApiResult, ReadErrors},
    http::ids,
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(evidence_pack);
}

/// Whether the caller asked for the ZIP: `Accept` names `application/zip` and prefers it to JSON.
fn wants_zip(req: &HttpRequest) -> bool {
    let Ok(accept) = <header::Accept as header::Header>::parse(req) else { return false };
    let quality = |wanted: &str| {
        accept
            .iter()
            .filter(|q| q.item.essence_str() == wanted)
            .map(|q| q.quality)
            .max()
            .unwrap_or(header::Quality::ZERO)
    };
    let zip = quality("application/zip");
    zip > header::Quality::ZERO && zip >= quality("application/json")
}

/// A vendor's evidence pack for an auditor to file.
///
/// The vendor; its (f)1 and (f)2 status with reasons on `as_of`; contracts with their events,
/// clauses and who verified them; assessments with every answer and score; findings; incidents
/// with their reviews; reminders sent; and every audit event about them up to `as_of`, with the
/// hashes that chain them and the chain's head. With `Accept: application/zip`, a ZIP holding the
/// same document, the audit events as JSON Lines, the contract texts, the respondents' files and a
/// manifest of SHA-256 digests.
#[utoipa::path(
    tag = "audit",
    params(("vendor_id" = String, Path, description = "Vendor id"), EvidenceQuery),
    security(("bearer" = ["admin", "auditor"])),
    responses(
        (status = 200, description = "The evidence pack", content(
            (EvidencePack = "application/json"),
            (crate::http::respond::Binary = "application/zip"),
        )),
        ReadErrors,
    )
)]
#[get("/vendors/{vendor_id}/evidence-pack")]
pub async fn evidence_pack(
    state: web::Data<AppState>,
    who: Authorized<perm::AuditRead>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<EvidenceQuery>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let as_of = query.into_inner().as_of.unwrap_or_else(time::today);
    let model = state.config.score_model.clone();
    let principal = who.0.clone();
    let (pack, attachments) =
        state.db.read_snapshot(move |c| pack::build(c, &vendor_id, as_of, &principal, &model)).await?;
    if !wants_zip(&req) {
        return Ok(HttpResponse::Ok().json(pack));
    }
    let data_dir = state.config.data_dir.clone();
    let name = format!("evidence-{}-{}.zip", pack.vendor.id, pack.as_of);
    let body =
        crate::http::stream::body("the evidence ZIP", move |out| archive::write(&pack, attachments, &data_dir, out));
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    fn zip_for(accept: &str) -> bool {
        super::wants_zip(&TestRequest::default().insert_header(("Accept", accept)).to_http_request())
    }

    #[test]
    fn the_zip_only_when_asked_for_and_preferred() {
        assert!(zip_for("application/zip"));
        assert!(zip_for("application/json;q=0.5, application/zip"));
        assert!(!zip_for("application/json, application/zip;q=0.5"));
        assert!(!zip_for("application/json"));
        assert!(!zip_for("*/*"));
        assert!(!zip_for("application/zip;q=0"));
        assert!(!super::wants_zip(&TestRequest::default().to_http_request()));
    }
}
