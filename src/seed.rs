//! `oversee seed-demo`: a realistic, deterministic portfolio for demos and benchmarks.
//!
//! Rows are built with the same model code as the API (normalisation, name keys, the risk tier
//! rule) and written in multi-row INSERTs, a chunk at a time, with an audit event for each
//! vendor and contract created, so every invariant of the API holds for seeded data too.

use std::time::Instant;

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use crate::{
    audit::models::AuditRow,
    clauses::models::ClauseRow,
    contracts::{
        events::EventRow,
        models::{ContractFields, ContractKind, ContractMeta, ContractRow, ContractStatus},
    },
    db::{schema, Db, DbConn},
    error::ApiError,
    rules::vendor_profile::{Access, Criticality, PiElement, VendorStatus},
    time::{self, date_text},
    vendors::models::{RowMeta, VendorFields},
};

/// SplitMix64: tiny, fast and deterministic; the seed fixes the whole portfolio.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "Payroll",
    "Cloud",
    "Analytics",
    "Benefits",
    "Logistics",
    "Security",
    "Billing",
    "Health",
    "Data",
    "Print",
    "Legal",
    "Travel",
    "Staffing",
    "Storage",
    "Mail",
    "Support",
    "Insurance",
    "Imaging",
    "Hosting",
    "Research",
];
const SUFFIXES: &[&str] = &["Inc", "LLC", "Corp", "Partners", "Group", "Systems", "Services", "Labs"];
const TAGS: &[&str] =
    &["payroll", "cloud", "hr", "finance", "it", "marketing", "legal", "facilities", "saas", "offshore"];

#[derive(Debug, Default)]
pub struct SeedReport {
    pub vendors: usize,
    pub contracts: usize,
    pub clauses: usize,
    pub events: usize,
    pub seconds: f64,
}

const CHUNK: usize = 500;

/// Multi-row INSERT in chunks, per backend (diesel's multi-backend connection has none).
macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(CHUNK) {
            match &mut *$conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    };
}

fn vendor_fields(i: usize, rng: &mut Rng) -> VendorFields {
    let handles_pi = rng.chance(70);
    let pi_elements =
        if handles_pi { PiElement::ALL.iter().copied().filter(|_| rng.chance(35)).collect() } else { vec![] };
    let access =
        if handles_pi { *rng.pick(&[Access::Stores, Access::Processes, Access::Transmits]) } else { Access::None };
    let tags = (0..rng.below(3)).map(|_| rng.pick(TAGS).to_string()).collect();
    VendorFields {
        name: format!("{} {} {} {:06}", rng.pick(WORDS), rng.pick(WORDS), rng.pick(SUFFIXES), i),
        legal_name: None,
        website: Some(format!("https://vendor{i}.example.com")),
        description: None,
        status: *rng.pick(&[
            VendorStatus::Active,
            VendorStatus::Active,
            VendorStatus::Active,
            VendorStatus::Prospect,
            VendorStatus::Offboarding,
            VendorStatus::Terminated,
        ]),
        owner_email: Some(format!("owner{}@example.com", rng.below(200))),
        handles_pi,
        pi_elements,
        records_estimate: handles_pi.then(|| [100, 2_000, 15_000, 250_000][rng.below(4) as usize]),
        access,
        criticality: *rng.pick(Criticality::ALL),
        tags,
    }
    .normalized()
}

fn contract_fields(rng: &mut Rng, n: usize) -> ContractFields {
    let base = NaiveDate::from_ymd_opt(2005, 1, 1).expect("valid");
    let entered_on = base + Days::new(rng.below(365 * 20));
    let ends_on = rng.chance(80).then(|| entered_on + Days::new(365 * (1 + rng.below(5)) - 1));
    let auto_renews = ends_on.is_some() && rng.chance(50);
    let draft = rng.chance(3);
    ContractFields {
        title: format!(
            "{} #{}",
            ["Master services agreement", "Data processing agreement", "Statement of work", "Order form"]
                [rng.below(4) as usize],
            n + 1
        ),
        kind: *rng.pick(&[ContractKind::Msa, ContractKind::Dpa, ContractKind::Sow, ContractKind::Order]),
        entered_on,
        effective_on: None,
        ends_on,
        auto_renews,
        renewal_term_months: auto_renews.then_some(12),
        notice_days: ends_on.map(|_| [30, 60, 90][rng.below(3) as usize]),
        status: if draft { ContractStatus::Draft } else { ContractStatus::Active },
        terminated_on: None,
        value_cents: Some(rng.below(50_000_000) as i64),
        currency: Some("USD".into()),
        owner_email: Some(format!("buyer{}@example.com", rng.below(50))),
        document_text: None,
    }
}

fn audit(subject_type: &str, subject_id: &str, after: String, now: &str) -> AuditRow {
    AuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        occurred_at: now.to_string(),
        actor_sub: "seed-demo".into(),
        actor_role: "admin".into(),
        action: "created".into(),
        subject_type: subject_type.into(),
        subject_id: subject_id.into(),
        before: None,
        after: Some(after),
        request_id: None,
        seq: None,
        prev_hash: None,
        hash: None,
        key_id: None,
    }
}

/// Adds `vendors` vendors with about three contracts each, clauses and renewals.
pub fn seed(db: &Db, vendors: usize, seed: u64) -> Result<SeedReport, ApiError> {
    let started = Instant::now();
    let mut rng = Rng(seed);
    let mut report = SeedReport::default();
    let now = time::now();
    // Write in batches of vendors, one transaction each, so memory stays flat at any size.
    const BATCH: usize = 5_000;
    let mut done = 0;
    while done < vendors {
        let n = BATCH.min(vendors - done);
        let mut v_rows = Vec::with_capacity(n);
        let mut tag_rows = Vec::new();
        let mut c_rows = Vec::with_capacity(n * 3);
        let mut cl_rows = Vec::new();
        let mut ev_rows = Vec::new();
        let mut audits = Vec::with_capacity(n * 4);
        for i in done..done + n {
            let f = vendor_fields(i, &mut rng);
            let tags = f.tags.clone();
            let id = uuid::Uuid::now_v7().to_string();
            let row = f.into_row(RowMeta {
                id: id.clone(),
                version: 1,
                created_at: now.clone(),
                updated_at: now.clone(),
                archived_at: None,
            });
            audits.push(audit(
                "vendor",
                &id,
                serde_json::to_string(&crate::vendors::models::Vendor::try_from(row.clone())?).unwrap_or_default(),
                &now,
            ));
            tag_rows.extend(crate::vendors::store::tag_rows(&row, &tags));
            v_rows.push(row);
            for k in 0..(1 + rng.below(5) as usize) {
                let cf = contract_fields(&mut rng, k);
                let entered = cf.entered_on;
                let ends = cf.ends_on;
                let cid = uuid::Uuid::now_v7().to_string();
                let crow: ContractRow = cf.into_row(ContractMeta {
                    id: cid.clone(),
                    vendor_id: id.clone(),
                    version: 1,
                    created_at: now.clone(),
                    updated_at: now.clone(),
                });
                audits.push(audit(
                    "contract",
                    &cid,
                    format!("{{\"id\":\"{cid}\",\"title\":\"{}\"}}", crow.title),
                    &now,
                ));
                if rng.chance(75) {
                    let status = *rng.pick(&["present", "present", "present", "absent", "unknown"]);
                    let verified = status == "present" && rng.chance(60);
                    cl_rows.push(clause_row(&cid, "security_measures", status, entered, verified, &now));
                    if rng.chance(50) {
                        cl_rows.push(clause_row(&cid, "breach_notification", "present", entered, false, &now));
                    }
                }
                if let (Some(end), true) = (ends, rng.chance(30)) {
                    let new_end = end + Days::new(365);
                    let executed = end - Days::new(30);
                    if executed >= entered {
                        ev_rows.push(EventRow {
                            id: uuid::Uuid::now_v7().to_string(),
                            contract_id: cid.clone(),
                            kind: "renewal".into(),
                            executed_on: date_text(executed),
                            summary: Some("Renewed for one year".into()),
                            clauses_added: "[]".into(),
                            clauses_removed: "[]".into(),
                            previous_ends_on: Some(date_text(end)),
                            new_ends_on: Some(date_text(new_end)),
                            created_at: now.clone(),
                        });
                        // The contract row carries the end date after its renewals.
                        let mut crow = crow;
                        crow.ends_on = Some(date_text(new_end));
                        c_rows.push(crow);
                        continue;
                    }
                }
                c_rows.push(crow);
            }
        }
        report.vendors += v_rows.len();
        report.contracts += c_rows.len();
        report.clauses += cl_rows.len();
        report.events += ev_rows.len();
        db.write_blocking(|conn| {
            insert_chunks!(conn, schema::vendors::table, v_rows);
            // `normalized()` already made each vendor's tags a set.
            insert_chunks!(conn, schema::vendor_tags::table, tag_rows);
            insert_chunks!(conn, schema::contracts::table, c_rows);
            insert_chunks!(conn, schema::contract_clauses::table, cl_rows);
            insert_chunks!(conn, schema::contract_events::table, ev_rows);
            let audits = crate::audit::chain::link_all(conn, audits, db.audit_key())?;
            insert_chunks!(conn, schema::audit_events::table, audits);
            Ok(())
        })?;
        done += n;
    }
    // Fresh statistics, as a live database would have them (autovacuum on PostgreSQL, `PRAGMA
    // optimize` at start on SQLite): without them PostgreSQL guesses and sorts whole tables.
    let mut conn = db.conn()?;
    diesel::connection::SimpleConnection::batch_execute(&mut *conn, "ANALYZE")
        .map_err(|e| ApiError::Internal(format!("ANALYZE failed: {e}")))?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn clause_row(
    contract_id: &str,
    clause_type: &str,
    status: &str,
    from: NaiveDate,
    verified: bool,
    now: &str,
) -> ClauseRow {
    ClauseRow {
        contract_id: contract_id.into(),
        clause_type: clause_type.into(),
        status: status.into(),
        effective_from: date_text(from),
        effective_to: None,
        section_ref: Some("9.1".into()),
        excerpt: None,
        notes: None,
        deadline_amount: (clause_type == "breach_notification").then_some(72),
        deadline_unit: (clause_type == "breach_notification").then(|| "hours".into()),
        verified_by: verified.then(|| "legal@example.com".into()),
        verified_at: verified.then(|| now.to_string()),
        version: 1,
        created_at: now.into(),
        updated_at: now.into(),
    }
}
