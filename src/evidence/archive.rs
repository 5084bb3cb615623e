//! The evidence pack as a ZIP: the JSON document, the audit events as JSON Lines, the contract
//! texts and the respondents' files, and a manifest with the SHA-256 of each, so an auditor can
//! show later that nothing in the folder changed.

use std::{io::Write, path::Path};

use chrono::{Datelike, Timelike, Utc};
use serde::Serialize;
use zip::{write::SimpleFileOptions, CompressionMethod, DateTime, ZipWriter};

use super::{models::EvidencePack, pack::Attachment};
use crate::{assessments::evidence_files, digest::sha256_hex, error::ApiError};

#[derive(Serialize)]
struct Entry {
    path: String,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Missing {
    path: String,
    reason: String,
}

#[derive(Serialize)]
struct Manifest {
    vendor_id: String,
    as_of: String,
    generated_at: String,
    files: Vec<Entry>,
    /// Files the records name that could not be included, and why.
    missing: Vec<Missing>,
}

const README: &str = "Oversee evidence pack\n\n\
evidence-pack.json  the vendor, its (f)1 and (f)2 status with reasons, contracts with clauses and\n\
                    who verified them, assessments with answers and scores, findings, incidents\n\
                    with their reviews, reminders sent, and the audit events about them.\n\
audit-events.jsonl  the same audit events, one per line, with their stored fields verbatim (before and\n\
                    after as the stored JSON text), so each hash can be recomputed as the README\n\
                    of Oversee describes, and where each stands against the chain (chain).\n\
contracts/          the stored contract texts.\n\
assessments/        the files respondents attached, by assessment.\n\
manifest.json       the SHA-256 of every other file here, and anything that could not be included.\n\n\
To show the audit events were not changed, compare audit_chain_head in evidence-pack.json with\n\
GET /api/v1/audit-events/verify (or the chain_head line of GET /api/v1/audit-events/export).\n";

/// Keeps a file name readable and safe inside the archive: no separators, no `..`.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_') { ch } else { '_' })
        .take(100)
        .collect();
    cleaned.trim_start_matches('.').to_string()
}

fn zip_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing the evidence ZIP: {e}"))
}

/// The SHA-256 and size of a file, read in pieces.
fn digest_of(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let n = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok((crate::digest::hex(&hasher.finalize()), n))
}

/// Writes the ZIP to `out` as it goes (a streaming ZIP: sizes follow each entry), so neither the
/// archive nor any file in it is held in memory whole.
pub fn write(
    pack: &EvidencePack,
    attachments: Vec<Attachment>,
    data_dir: &Path,
    out: &mut dyn Write,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let stamp = DateTime::from_date_and_time(
        now.year() as u16,
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default();
    let options =
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(stamp);
    let mut zip = ZipWriter::new_stream(out);
    let mut files = vec![];
    let mut missing = vec![];
    let mut add = |zip: &mut ZipWriter<zip::write::StreamWriter<&mut dyn Write>>,
                   path: String,
                   bytes: &[u8]|
     -> Result<(), ApiError> {
        zip.start_file(path.as_str(), options).map_err(zip_error)?;
        zip.write_all(bytes).map_err(zip_error)?;
        files.push(Entry { sha256: sha256_hex(bytes), bytes: bytes.len(), path });
        Ok(())
    };

    let json = serde_json::to_vec_pretty(pack).map_err(zip_error)?;
    add(&mut zip, "evidence-pack.json".into(), &json)?;
    let mut copied = vec![];
    for a in attachments {
        match a {
            Attachment::AuditEvents(events) => {
                let mut lines = String::new();
                for e in &events {
                    lines.push_str(&serde_json::to_string(e).map_err(zip_error)?);
                    lines.push('\n');
                }
                add(&mut zip, "audit-events.jsonl".into(), lines.as_bytes())?;
            }
            Attachment::ContractText { contract_id, text } => {
                add(&mut zip, format!("contracts/{contract_id}.txt"), text.as_bytes())?;
            }
            Attachment::EvidenceFile { assessment_id, evidence_id, filename, sha256 } => {
                let path = format!("assessments/{assessment_id}/{evidence_id}-{}", safe_name(&filename));
                let source = evidence_files::path(data_dir, &assessment_id, &evidence_id);
                // Checked before it is copied: a ZIP entry cannot be taken back once written.
                match digest_of(&source) {
                    Ok((digest, n)) if digest == sha256 => {
                        let mut copy = || -> std::io::Result<()> {
                            zip.start_file(path.as_str(), options)?;
                            std::io::copy(&mut std::fs::File::open(&source)?, &mut zip)?;
                            Ok(())
                        };
                        copy().map_err(zip_error)?;
                        copied.push(Entry { sha256: digest, bytes: n as usize, path });
                    }
                    Ok(_) => missing.push(Missing {
                        path,
                        reason: "the file on disk no longer matches the SHA-256 recorded when it was uploaded".into(),
                    }),
                    Err(e) => missing.push(Missing { path, reason: format!("not readable: {e}") }),
                }
            }
        }
    }
    add(&mut zip, "README.txt".into(), README.as_bytes())?;
    files.extend(copied);
    let manifest = Manifest {
        vendor_id: pack.vendor.id.clone(),
        as_of: pack.as_of.to_string(),
        generated_at: pack.generated_at.clone(),
        files,
        missing,
    };
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(zip_error)?;
    zip.start_file("manifest.json", options).map_err(zip_error)?;
    zip.write_all(&manifest).map_err(zip_error)?;
    zip.finish().map_err(zip_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_cannot_leave_their_folder() {
        assert_eq!(super::safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(super::safe_name("SOC 2 report (2026).pdf"), "SOC_2_report__2026_.pdf");
        assert_eq!(super::safe_name(".hidden"), "hidden");
        assert_eq!(super::safe_name(&"a".repeat(300)).len(), 100);
    }
}
