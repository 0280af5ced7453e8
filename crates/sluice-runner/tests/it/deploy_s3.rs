//! Deploy/S3 jobs: into sluice buckets (directories) and an S3-compatible
//! store, and hostile archives that must not get anywhere.

use crate::support::{Fixture, fixture, job};
use sluice_artifacts::{ArtifactStore, S3Config};
use sluice_engine::{ArtifactLocation, Job};
use sluice_model::ActionCategory;
use sluice_runner::{DeployTargets, run};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use zip::write::{SimpleFileOptions, ZipWriter};

fn deploy_job(input: ArtifactLocation, configuration: &[(&str, &str)]) -> Job {
    let mut job = job(ActionCategory::Deploy, "S3");
    job.configuration = configuration.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    job.input_artifacts = vec![input];
    job
}

/// Every file under `dir`, relative, sorted; `[]` when `dir` does not exist.
fn files(dir: &Path) -> Vec<String> {
    if dir.exists() { crate::support::files_under(dir) } else { Vec::new() }
}

#[tokio::test]
async fn extract_true_deploys_every_file_under_the_prefix() {
    let f = fixture();
    let input =
        f.input("Site", "pipe/exec-1/Site/a.zip", &[("index.html", "<h1>hi</h1>"), ("css/deep/site.css", "b{}")]).await;
    let job = deploy_job(input, &[("BucketName", "my-site"), ("Extract", "true"), ("ObjectKey", "v1")]);
    let result = run(&job, &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());
    assert_eq!(result.summary.as_deref(), Some("Deployed 2 files to bucket my-site under v1/"));

    let bucket = f.path().join("buckets/my-site");
    assert_eq!(files(&bucket), ["v1/css/deep/site.css", "v1/index.html"]);
    assert_eq!(fs::read_to_string(bucket.join("v1/index.html")).unwrap(), "<h1>hi</h1>");
    let mode = fs::metadata(bucket.join("v1/index.html")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o044, 0o044, "a deployed site stays readable: {mode:o}");

    // A second deploy replaces files and leaves the others, as AWS does.
    let input = f.input("Site2", "pipe/exec-2/Site/a.zip", &[("index.html", "v2")]).await;
    let job = deploy_job(input, &[("BucketName", "my-site"), ("Extract", "true"), ("ObjectKey", "v1")]);
    assert!(run(&job, &f.cx).await.succeeded, "{}", f.log());
    assert_eq!(fs::read_to_string(bucket.join("v1/index.html")).unwrap(), "v2");
    assert_eq!(files(&bucket), ["v1/css/deep/site.css", "v1/index.html"]);
}

#[tokio::test]
async fn extract_false_uploads_the_zip_as_the_object_key() {
    let f = fixture();
    let input = f.input("App", "pipe/exec-1/App/a.zip", &[("app.txt", "app")]).await;
    let job = deploy_job(
        input,
        &[("BucketName", "releases"), ("Extract", "false"), ("ObjectKey", "app/latest.zip"), ("CannedACL", "private")],
    );
    let result = run(&job, &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());
    assert_eq!(result.summary.as_deref(), Some("Deployed the artifact to bucket releases as app/latest.zip"));
    let deployed = f.path().join("buckets/releases/app/latest.zip");
    assert_eq!(fs::read(&deployed).unwrap(), fs::read(f.path().join("input-App.zip")).unwrap());
    assert!(f.log().contains("`CannedACL` is accepted but does not apply"), "{}", f.log());
}

#[tokio::test]
async fn a_mapped_bucket_goes_to_its_own_directory() {
    let mut f = fixture();
    let site = f.path().join("srv/www");
    f.cx.deploy_targets =
        DeployTargets::new(f.path().join("buckets"), [("www".to_owned(), ArtifactStore::local(site.clone()))]);
    let input = f.input("Site", "k/a.zip", &[("index.html", "x")]).await;
    let result = run(&deploy_job(input, &[("BucketName", "www"), ("Extract", "true")]), &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());
    assert_eq!(files(&site), ["index.html"]);
    assert!(!f.path().join("buckets").exists());
}

#[tokio::test]
async fn bad_configurations_fail_before_anything_is_written() {
    let f = fixture();
    let input = f.input("App", "k/a.zip", &[("app.txt", "app")]).await;
    for (configuration, error) in [
        (&[("BucketName", "b-1"), ("Extract", "false")][..], "`ObjectKey` is required when `Extract` is false"),
        (&[("BucketName", "../escape"), ("Extract", "true")][..], "`../escape` is not a bucket name"),
        (&[("BucketName", "b-1"), ("Extract", "maybe")][..], "`Extract` is `true` or `false`, not `maybe`"),
        (
            &[("BucketName", "b-1"), ("Extract", "false"), ("ObjectKey", "../x.zip")][..],
            "`ObjectKey`: invalid artifact key",
        ),
    ] {
        let result = run(&deploy_job(input.clone(), configuration), &f.cx).await;
        let message = result.error.unwrap_or_default();
        assert!(message.contains(error), "{configuration:?}: {message}");
    }
    let mut two = deploy_job(input.clone(), &[("BucketName", "b-1"), ("Extract", "true")]);
    two.input_artifacts.push(input);
    let error = run(&two, &f.cx).await.error.unwrap_or_default();
    assert_eq!(error, "a Deploy/S3 action takes exactly one input artifact; this one has 2");
    assert!(!f.path().join("buckets").exists() && !f.path().join("escape").exists());
}

/// Hostile archives: each must fail the deploy, name its entry, and leave
/// the bucket and everything around it untouched.
#[tokio::test]
async fn zip_slip_archives_are_refused_and_write_nothing() {
    let f = fixture();
    let outside = f.path().join("outside");
    let evil = |name: &str, build: &dyn Fn(&mut ZipWriter<fs::File>)| {
        let path = f.path().join(format!("{name}.zip"));
        let mut zip = ZipWriter::new(fs::File::create(&path).unwrap());
        zip.start_file("ok.txt", SimpleFileOptions::default()).unwrap();
        zip.write_all(b"fine").unwrap();
        build(&mut zip);
        zip.finish().unwrap();
        path
    };
    let absolute = outside.join("abs.txt").to_str().unwrap().to_owned();
    let archives = [
        (
            evil("dotdot", &|zip| {
                zip.start_file("../../outside/pwned.txt", SimpleFileOptions::default()).unwrap();
                zip.write_all(b"pwned").unwrap();
            }),
            "../../outside/pwned.txt",
        ),
        (
            evil("absolute", &|zip| {
                zip.start_file(absolute.as_str(), SimpleFileOptions::default()).unwrap();
                zip.write_all(b"pwned").unwrap();
            }),
            absolute.as_str(),
        ),
        (
            evil("symlink", &|zip| {
                zip.add_symlink("link", outside.to_str().unwrap(), SimpleFileOptions::default()).unwrap();
                zip.start_file("link/pwned.txt", SimpleFileOptions::default()).unwrap();
                zip.write_all(b"pwned").unwrap();
            }),
            "link",
        ),
    ];
    for (zip, entry) in &archives {
        let key = format!("evil/{}", zip.file_name().unwrap().to_str().unwrap());
        f.cx.artifacts.put_file(&key, zip).await.unwrap();
        let input = ArtifactLocation { name: "Evil".into(), location: key };
        let result = run(&deploy_job(input, &[("BucketName", "site"), ("Extract", "true")]), &f.cx).await;
        let error = result.error.unwrap_or_default();
        assert!(error.contains(&format!("refusing archive entry `{entry}`")), "{error}");
        assert!(!outside.exists(), "{entry}: something was written outside");
        assert_eq!(files(&f.path().join("buckets")), Vec::<String>::new(), "{entry}: the bucket was written");
    }
}

#[tokio::test]
async fn a_zip_bomb_over_the_limit_is_refused() {
    // 8 MiB of zeros deflate to a few KiB; the archive then claims 6 GiB,
    // over the runner's 5 GiB limit, and is refused before inflating.
    // (Archives that understate their size are counted while inflating:
    // sluice-artifacts' tests drive those.)
    let f = fixture();
    let path = f.path().join("bomb.zip");
    let mut zip = ZipWriter::new(fs::File::create(&path).unwrap());
    zip.start_file("zeros.bin", SimpleFileOptions::default().large_file(true)).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..8 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    patch_uncompressed_size(&path, 6 << 30);
    f.cx.artifacts.put_file("bomb.zip", &path).await.unwrap();
    let input = ArtifactLocation { name: "Bomb".into(), location: "bomb.zip".into() };
    let result = run(&deploy_job(input, &[("BucketName", "site"), ("Extract", "true")]), &f.cx).await;
    let error = result.error.unwrap_or_default();
    assert!(error.contains("`zeros.bin` is larger than the limit"), "{error}");
    assert_eq!(files(&f.path().join("buckets")), Vec::<String>::new());
}

/// Sets the uncompressed size the central directory declares for the
/// archive's one entry (a zip64 extra field, since `large_file` was set).
fn patch_uncompressed_size(path: &Path, size: u64) {
    let mut bytes = fs::read(path).unwrap();
    let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    let name_len = u16::from_le_bytes([bytes[central + 28], bytes[central + 29]]) as usize;
    let extra = central + 46 + name_len;
    assert_eq!(&bytes[extra..extra + 2], &[1, 0], "a zip64 extra field");
    bytes[extra + 4..extra + 12].copy_from_slice(&size.to_le_bytes());
    fs::write(path, bytes).unwrap();
}

/// A store on the S3 test server, or `None` when none was started.
fn s3_store(prefix: &str) -> Option<ArtifactStore> {
    let endpoint = std::env::var("SLUICE_TEST_S3_ENDPOINT").ok()?;
    let mut config = S3Config::new(std::env::var("SLUICE_TEST_S3_BUCKET").unwrap_or_else(|_| "sluice-test".into()));
    config.prefix = format!("{prefix}-{}", std::process::id());
    config.endpoint = Some(endpoint);
    config.path_style = true;
    config.allow_http = true;
    config.access_key_id = Some("test".into());
    config.secret_access_key = Some("test".into());
    Some(ArtifactStore::s3(config).unwrap())
}

#[tokio::test]
async fn deploys_to_an_s3_compatible_bucket() {
    let Some(store) = s3_store("deploy") else { return };
    let mut f: Fixture = fixture();
    f.cx.deploy_targets = DeployTargets::new(f.path().join("buckets"), [("web".to_owned(), store.clone())]);
    let input = f.input("Site", "k/a.zip", &[("index.html", "<p>s3</p>"), ("img/logo.svg", "<svg/>")]).await;
    let result =
        run(&deploy_job(input.clone(), &[("BucketName", "web"), ("Extract", "true"), ("ObjectKey", "site")]), &f.cx)
            .await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());
    assert_eq!(store.get_bytes("site/index.html").await.unwrap(), b"<p>s3</p>");
    assert_eq!(store.get_bytes("site/img/logo.svg").await.unwrap(), b"<svg/>");

    let result =
        run(&deploy_job(input, &[("BucketName", "web"), ("Extract", "false"), ("ObjectKey", "site.zip")]), &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());
    assert_eq!(store.get_bytes("site.zip").await.unwrap(), fs::read(f.path().join("input-Site.zip")).unwrap());
}
