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

pub fn write(target: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let io = |e: std::io::Error| ApiError::Internal(format!("storing evidence at {}: {e}", target.display()));
    let dir = target.parent().ok_or_else(|| ApiError::Internal("evidence path has no folder".into()))?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = target.with_extension("partial");
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
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
