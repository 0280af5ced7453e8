//! The S3 backend against a real S3-protocol server: `scripts/with-s3`
//! starts one (moto) and sets `SLUICE_TEST_S3_ENDPOINT`; without it these
//! tests pass without running, as the PostgreSQL ones do.

use sluice_artifacts::{ArtifactError, ArtifactStore, S3Config};
use std::io::Write;

/// A store on the test bucket under a prefix of its own, or `None` when no
/// S3 server was started for this run.
fn store(test: &str) -> Option<ArtifactStore> {
    let endpoint = std::env::var("SLUICE_TEST_S3_ENDPOINT").ok()?;
    let bucket = std::env::var("SLUICE_TEST_S3_BUCKET").unwrap_or_else(|_| "sluice-test".to_owned());
    let mut config = S3Config::new(bucket);
    config.prefix = format!("{test}-{}", std::process::id());
    config.endpoint = Some(endpoint);
    config.path_style = true;
    config.allow_http = true;
    config.access_key_id = Some("test".to_owned());
    config.secret_access_key = Some("test".to_owned());
    Some(ArtifactStore::s3(config).unwrap())
}

#[tokio::test]
async fn put_get_exists_overwrite() {
    let Some(store) = store("basic") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("a.zip");
    std::fs::write(&src, b"hello").unwrap();

    assert!(!store.exists("p/e/A/j.zip").await.unwrap());
    store.put_file("p/e/A/j.zip", &src).await.unwrap();
    assert!(store.exists("p/e/A/j.zip").await.unwrap());
    let out = tmp.path().join("out/nested/b.zip");
    store.get_to_file("p/e/A/j.zip", &out).await.unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"hello");

    std::fs::write(&src, b"replaced").unwrap();
    store.put_file("p/e/A/j.zip", &src).await.unwrap();
    store.get_to_file("p/e/A/j.zip", &out).await.unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"replaced");

    store.put_bytes("p/marker", b"m".to_vec()).await.unwrap();
    assert_eq!(store.get_bytes("p/marker").await.unwrap(), b"m");
    // Keys with spaces and odd (but allowed) characters round-trip.
    store.put_bytes("p/with space/+plus=eq", b"odd".to_vec()).await.unwrap();
    assert_eq!(store.get_bytes("p/with space/+plus=eq").await.unwrap(), b"odd");
}

#[tokio::test]
async fn a_missing_key_is_not_found() {
    let Some(store) = store("missing") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.zip");
    let err = store.get_to_file("nope/x.zip", &out).await.unwrap_err();
    assert!(matches!(err, ArtifactError::NotFound { .. }), "{err}");
    assert_eq!(err.to_string(), "no artifact is stored under `nope/x.zip`");
    assert!(!out.exists(), "a failed download leaves no file");
    assert!(matches!(store.get_bytes("nope").await.unwrap_err(), ArtifactError::NotFound { .. }));
    let err = store.put_file("../x", &out).await.unwrap_err();
    assert!(matches!(err, ArtifactError::InvalidKey { .. }), "{err}");
}

#[tokio::test]
async fn a_big_file_goes_up_in_parts_and_comes_back_whole() {
    let Some(store) = store("big") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("big.bin");
    // 20 MiB and a bit, not a multiple of the part size: three parts, the
    // last one short. Each MiB differs so a misplaced part shows.
    let mut file = std::fs::File::create(&src).unwrap();
    for i in 0..20u8 {
        file.write_all(&vec![i; 1 << 20]).unwrap();
    }
    file.write_all(b"tail").unwrap();
    drop(file);

    store.put_file("big/artifact.zip", &src).await.unwrap();
    let out = tmp.path().join("back.bin");
    store.get_to_file("big/artifact.zip", &out).await.unwrap();
    assert_eq!(std::fs::metadata(&out).unwrap().len(), (20 << 20) + 4);
    assert!(std::fs::read(&src).unwrap() == std::fs::read(&out).unwrap(), "the content differs");
}

#[tokio::test]
async fn an_unreachable_store_says_where() {
    // Nothing listens on port 1; the error names the key and the store.
    let store =
        ArtifactStore::from_url("s3://bucket/p?endpoint=http://127.0.0.1:1&access_key_id=a&secret_access_key=b")
            .unwrap();
    let err = store.exists("k").await.unwrap_err().to_string();
    assert!(err.contains("`k`") && err.contains("s3://bucket/p at http://127.0.0.1:1"), "{err}");
}
