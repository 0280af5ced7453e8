//! Packing and unpacking real files, and archives built to attack `unpack`;
//! the S3 backend against a real S3 server (`s3`) and the HTTP backend (`http`).

mod http;
mod s3;

use sluice_artifacts::{ArtifactError, Limits, pack, pack_all, unpack};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use zip::write::{SimpleFileOptions, ZipWriter};

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// An archive with the given (name, content) entries, written as-is.
fn zip_of(path: &Path, entries: &[(&str, &[u8])]) {
    let mut zip = ZipWriter::new(fs::File::create(path).unwrap());
    for (name, content) in entries {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
}

fn names(path: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    names
}

#[test]
fn round_trip_keeps_paths_content_and_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src.join("README.md"), "hello");
    write(&src.join("bin/run.sh"), "#!/bin/sh\necho hi\n");
    fs::set_permissions(src.join("bin/run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    write(&src.join("deep/a/b/c.txt"), "deep");
    let zip = tmp.path().join("out.zip");

    let summary = pack_all(&src, &zip).unwrap();
    assert_eq!((summary.files, summary.bytes), (3, 5 + 18 + 4));

    let dest = tmp.path().join("dest");
    let unpacked = unpack(&zip, &dest, Limits::default()).unwrap();
    assert_eq!((unpacked.files, unpacked.bytes), (3, 27));
    assert_eq!(fs::read_to_string(dest.join("README.md")).unwrap(), "hello");
    assert_eq!(fs::read_to_string(dest.join("deep/a/b/c.txt")).unwrap(), "deep");
    assert_eq!(mode(&dest.join("bin/run.sh")), 0o755);
    assert_eq!(mode(&dest.join("README.md")), mode(&src.join("README.md")));
}

#[test]
fn patterns_select_relative_to_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    for file in ["top.txt", "top.log", "dist/app.js", "dist/lib/x.js", "other/y.js"] {
        write(&src.join(file), file);
    }
    let zip = tmp.path().join("out.zip");
    pack(&src, &["*.txt".to_owned(), "./dist/**/*".to_owned()], &zip).unwrap();
    assert_eq!(names(&zip), ["dist/app.js", "dist/lib/x.js", "top.txt"]);

    let err = pack(&src, &["a[".to_owned()], &zip).unwrap_err();
    assert!(matches!(err, ArtifactError::Pattern { .. }), "{err}");
}

#[test]
fn pack_never_follows_symlinks_out_of_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&tmp.path().join("secret.txt"), "secret");
    write(&tmp.path().join("outside/file.txt"), "outside");
    write(&src.join("real.txt"), "real");
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), src.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("outside"), src.join("leakdir")).unwrap();
    std::os::unix::fs::symlink("real.txt", src.join("alias.txt")).unwrap();
    // The archive itself inside the directory is not packed into itself.
    let zip = src.join("self.zip");

    let summary = pack_all(&src, &zip).unwrap();
    assert_eq!(names(&zip), ["alias.txt", "real.txt"]);
    assert_eq!(summary.skipped_symlinks, 2);
    let dest = tmp.path().join("dest");
    unpack(&zip, &dest, Limits::default()).unwrap();
    assert_eq!(fs::read_to_string(dest.join("alias.txt")).unwrap(), "real");
}

/// Asserts that unpacking fails naming `entry` and writes nothing outside `dest`.
fn assert_refused(tmp: &Path, zip: &Path, entry: &str, outside: &[&Path]) {
    let dest = tmp.join("box/dest");
    let err = unpack(zip, &dest, Limits::default()).unwrap_err();
    assert!(matches!(err, ArtifactError::UnsafeEntry { .. }), "{err}");
    assert!(err.to_string().contains(&format!("`{entry}`")), "{err}");
    for path in outside {
        assert!(!path.exists(), "{} was written", path.display());
    }
}

#[test]
fn zip_slip_parent_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("evil.zip");
    zip_of(&zip, &[("ok.txt", b"fine"), ("../evil", b"pwned")]);
    assert_refused(tmp.path(), &zip, "../evil", &[&tmp.path().join("box/evil")]);

    zip_of(&zip, &[("a/../../evil2", b"pwned")]);
    assert_refused(tmp.path(), &zip, "a/../../evil2", &[&tmp.path().join("box/evil2")]);
}

#[test]
fn zip_slip_absolute_path_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("abs-target");
    let name = target.to_str().unwrap().to_owned();
    let zip = tmp.path().join("evil.zip");
    zip_of(&zip, &[(&name, b"pwned")]);
    assert_refused(tmp.path(), &zip, &name, &[&target]);
}

#[test]
fn symlink_entries_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("evil.zip");
    let mut writer = ZipWriter::new(fs::File::create(&zip).unwrap());
    writer.add_symlink("link", tmp.path().to_str().unwrap(), SimpleFileOptions::default()).unwrap();
    writer.start_file("link/pwned", SimpleFileOptions::default()).unwrap();
    writer.write_all(b"pwned").unwrap();
    writer.finish().unwrap();
    assert_refused(tmp.path(), &zip, "link", &[&tmp.path().join("pwned")]);
    assert!(!tmp.path().join("box/dest/link").exists());
}

#[test]
fn a_symlink_already_in_the_destination_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("box/dest");
    fs::create_dir_all(&dest).unwrap();
    std::os::unix::fs::symlink(tmp.path(), dest.join("link")).unwrap();
    let zip = tmp.path().join("evil.zip");
    zip_of(&zip, &[("link/pwned", b"pwned")]);
    assert_refused(tmp.path(), &zip, "link/pwned", &[&tmp.path().join("pwned")]);
}

#[test]
fn size_and_count_limits_are_enforced() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("big.zip");
    let big = vec![b'x'; 10_000];
    zip_of(&zip, &[("small.txt", b"12345"), ("big.bin", &big), ("more.bin", &big)]);
    let dest = tmp.path().join("dest");

    let per_entry = Limits { max_entry_bytes: 9_999, ..Limits::default() };
    let err = unpack(&zip, &dest, per_entry).unwrap_err();
    assert!(matches!(err, ArtifactError::EntryTooLarge { .. }), "{err}");
    assert!(err.to_string().contains("`big.bin`"), "{err}");

    let total = Limits { max_total_bytes: 15_000, ..Limits::default() };
    let err = unpack(&zip, &dest, total).unwrap_err();
    assert!(matches!(err, ArtifactError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("`more.bin`"), "{err}");

    let entries = Limits { max_entries: 2, ..Limits::default() };
    let err = unpack(&zip, &dest, entries).unwrap_err();
    assert!(matches!(err, ArtifactError::TooManyEntries { count: 3, limit: 2 }), "{err}");

    let exact = Limits { max_entry_bytes: 10_000, max_total_bytes: 20_005, max_entries: 3 };
    assert_eq!(unpack(&zip, &dest, exact).unwrap().bytes, 20_005);
}

/// A zip bomb that lies: its headers say 100 bytes, it inflates to 8 MiB.
/// The bytes are counted as they are written, so it stops at the limit.
#[test]
fn a_zip_bomb_that_understates_its_size_stops_at_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("bomb.zip");
    zip_of(&zip, &[("zeros.bin", &vec![0u8; 8 << 20])]);
    let mut bytes = fs::read(&zip).unwrap();
    assert!(bytes.len() < 100_000, "it deflates to little");
    let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
    bytes[local + 22..local + 26].copy_from_slice(&100u32.to_le_bytes());
    let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
    fs::write(&zip, bytes).unwrap();

    let dest = tmp.path().join("dest");
    let limits = Limits { max_entry_bytes: 1000, max_total_bytes: 1000, max_entries: 10 };
    assert!(unpack(&zip, &dest, limits).is_err());
    let written = fs::metadata(dest.join("zeros.bin")).map(|m| m.len()).unwrap_or(0);
    assert!(written <= 1000, "{written} bytes were written");
}

#[test]
fn garbage_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("not.zip");
    fs::write(&zip, b"this is not a zip").unwrap();
    let err = unpack(&zip, &tmp.path().join("dest"), Limits::default()).unwrap_err();
    assert!(err.to_string().contains("is not a readable zip archive"), "{err}");
}
