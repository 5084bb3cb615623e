//! Files Oversee keeps are for its own user alone: created 0600 (the SQLite database, its WAL
//! and shared-memory files, the JWT key, evidence files) in folders created 0700 (evidence,
//! the mail outbox). SQLite gives its WAL and shared-memory files the database file's mode, so
//! the database file is created (or tightened) first.

use std::{
    fs::{DirBuilder, OpenOptions, Permissions},
    io,
    os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
    path::Path,
};

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and any missing parents with mode 0700, and tightens `dir` itself if it exists.
pub fn dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)?;
    std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
}

/// Opens a new file for writing with mode 0600 (truncating one left from an interrupted write).
pub fn create(path: &Path) -> io::Result<std::fs::File> {
    OpenOptions::new().write(true).create(true).truncate(true).mode(FILE_MODE).open(path)
}

/// The SQLite database at `path`: created empty with mode 0600 when missing, tightened to 0600
/// with its WAL and shared-memory files when present.
pub fn sqlite_database(path: &Path) -> io::Result<()> {
    if !path.exists() {
        OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = Path::new(&format!("{}{suffix}", path.display())).to_path_buf();
        if file.exists() {
            std::fs::set_permissions(&file, Permissions::from_mode(FILE_MODE))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_for_the_owner_alone() {
        let root = std::env::temp_dir().join(format!("oversee-modes-{}", uuid::Uuid::now_v7()));
        let nested = root.join("evidence").join("a1");
        dir(&nested).unwrap();
        assert_eq!(mode(&nested), DIR_MODE);
        assert_eq!(mode(&root.join("evidence")), DIR_MODE);
        create(&nested.join("f")).unwrap();
        assert_eq!(mode(&nested.join("f")), FILE_MODE);
        // An existing database left readable by others is tightened, with its WAL.
        let db = root.join("oversee.db");
        std::fs::write(&db, b"").unwrap();
        std::fs::write(root.join("oversee.db-wal"), b"").unwrap();
        std::fs::set_permissions(&db, Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(root.join("oversee.db-wal"), Permissions::from_mode(0o644)).unwrap();
        sqlite_database(&db).unwrap();
        assert_eq!(mode(&db), FILE_MODE);
        assert_eq!(mode(&root.join("oversee.db-wal")), FILE_MODE);
        let fresh = root.join("fresh.db");
        sqlite_database(&fresh).unwrap();
        assert_eq!(mode(&fresh), FILE_MODE);
        std::fs::remove_dir_all(root).unwrap();
    }
}
