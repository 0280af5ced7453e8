//! Artifact keys: `/`-separated relative paths. The local store maps them to
//! files under its root, so a key must never be able to name anything else.

use crate::error::{ArtifactError, Result};

/// Checks that `key` can name an artifact in every store: a relative path
/// of plain names (no empty, `.` or `..` segments, no NUL).
pub fn check_key(key: &str) -> Result<()> {
    let refuse = |reason| Err(ArtifactError::InvalidKey { key: key.to_owned(), reason });
    if key.is_empty() {
        return refuse("it is empty");
    }
    if key.starts_with('/') {
        return refuse("it is an absolute path");
    }
    if key.contains('\0') {
        return refuse("it contains a NUL character");
    }
    for segment in key.split('/') {
        match segment {
            "" => return refuse("it has an empty segment"),
            "." | ".." => return refuse("segments may not be `.` or `..`"),
            // Temporary files of an upload in progress live beside their key
            // under this prefix; a key must never name one.
            s if s.starts_with(crate::store::TEMP_PREFIX) => {
                return refuse("segments may not start with `.sluice-tmp`");
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_key;

    #[test]
    fn accepts_relative_paths() {
        assert!(check_key("pipe/exec-1/SourceOutput/job-1.zip").is_ok());
        assert!(check_key("a").is_ok());
        assert!(check_key("a/.hidden/b..c").is_ok());
    }

    #[test]
    fn refuses_escapes_and_odd_shapes() {
        for key in ["", "/abs", "a/../b", "..", "a//b", "a/", "./a", "a/./b", "a\0b", "a/.sluice-tmp-1"] {
            let err = check_key(key).expect_err(key).to_string();
            assert!(err.starts_with("invalid artifact key"), "{err}");
        }
    }
}
