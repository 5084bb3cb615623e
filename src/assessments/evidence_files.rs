//! Evidence files on disk: `<data dir>/evidence/<assessment id>/<evidence id>`, written whole to a
//! temporary name and renamed, so a crash never leaves half a file under a real name.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use crate::error::ApiError;

/// The types reviewers can open: documents, spreadsheets, images, text and archives.
pub const ALLOWED_TYPES: [&str; 10] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/json",
];

/// The assessment's folder and the evidence folder above it, for Oversee's user alone.
fn private_dirs(assessment_dir: &Path) -> std::io::Result<()> {
    crate::private_files::dir(assessment_dir)?;
    match assessment_dir.parent() {
        Some(evidence) => crate::private_files::dir(evidence),
        None => Ok(()),
    }
}

pub fn path(data_dir: &Path, assessment_id: &str, evidence_id: &str) -> PathBuf {
    data_dir.join("evidence").join(assessment_id).join(evidence_id)
}

/// The content type without parameters, if it is one we keep.
pub fn allowed_type(content_type: Option<&str>) -> Result<String, ApiError> {
    let essence = content_type.and_then(|c| c.split(';').next()).map(|c| c.trim().to_ascii_lowercase());
    match essence {
        Some(t) if ALLOWED_TYPES.contains(&t.as_str()) => Ok(t),
        other => Err(ApiError::UnsupportedMediaType(format!(
            "evidence of type '{}' is not accepted; send one of: {}",
            other.unwrap_or_default(),
            ALLOWED_TYPES.join(", ")
        ))),
    }
}

/// A file name safe to show and to put in Content-Disposition: no path, no control characters,
/// no quotes, at most 200 characters.
pub fn clean_filename(raw: &str) -> Result<String, ApiError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return Err(ApiError::invalid("filename", "give the file's name, e.g. ?filename=soc2-report.pdf"));
    }
    Ok(cleaned)
}

/// What a streamed upload came to: its size and SHA-256, computed as it was written.
pub struct Received {
    pub size: u64,
    pub sha256: String,
}

/// Streams an upload to `target` (through a temporary name, renamed at the end), hashing as it
/// goes and stopping at `limit` bytes: the file is never held in memory whole. Nothing is left
/// on disk when it fails. `too_large` gives the error for a file over the limit.
pub async fn write_stream(
    target: &Path,
    mut payload: actix_web::dev::Payload,
    limit: u64,
    too_large: impl Fn() -> ApiError,
) -> Result<Received, ApiError> {
    use futures_util::StreamExt;
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let io = |e: std::io::Error| ApiError::Internal(format!("storing evidence at {}: {e}", target.display()));
    let dir = target.parent().ok_or_else(|| ApiError::Internal("evidence path has no folder".into()))?;
    private_dirs(dir).map_err(io)?;
    let tmp = target.with_extension("partial");
    let result = async {
        let mut file = tokio::fs::File::from_std(crate::private_files::create(&tmp).map_err(io)?);
        let mut hasher = sha2::Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the upload was cut off: {e}")))?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_large());
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.sync_all().await.map_err(io)?;
        tokio::fs::rename(&tmp, target).await.map_err(io)?;
        Ok(Received { size, sha256: crate::digest::hex(&hasher.finalize()) })
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

pub fn write(target: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let io = |e: std::io::Error| ApiError::Internal(format!("storing evidence at {}: {e}", target.display()));
    let dir = target.parent().ok_or_else(|| ApiError::Internal("evidence path has no folder".into()))?;
    private_dirs(dir).map_err(io)?;
    let tmp = target.with_extension("partial");
    let mut f = crate::private_files::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, target).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_control_characters() {
        assert_eq!(clean_filename("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_filename("C:\\reports\\soc2.pdf").unwrap(), "soc2.pdf");
        assert_eq!(clean_filename("a\"b\u{0}c.pdf").unwrap(), "abc.pdf");
        for bad in ["", "  ", "dir/", "..", "a/.."] {
            assert!(clean_filename(bad).is_err(), "{bad:?}");
        }
        assert_eq!(clean_filename(&"x".repeat(300)).unwrap().len(), 200);
    }

    #[test]
    fn only_listed_types_pass() {
        assert_eq!(allowed_type(Some("application/PDF; name=x")).unwrap(), "application/pdf");
        assert!(allowed_type(Some("application/x-msdownload")).is_err());
        assert!(allowed_type(None).is_err());
    }
}
