//! Access keys: making them, and the admin key of a fresh installation.

use crate::clock::now_ms;
use crate::driver::Driver;
use rand::Rng;
use std::io::Write;
use std::path::Path;

const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A new key pair, shaped like AWS's (`AKIA` + 16, and 40 characters).
pub fn generate() -> (String, String) {
    let mut rng = rand::rng();
    let mut pick = |alphabet: &[u8], n: usize| -> String {
        (0..n).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
    };
    (format!("AKIA{}", pick(ID_ALPHABET, 16)), pick(SECRET_ALPHABET, 40))
}

/// A random secret for agent tokens and sessions: 40 URL-safe characters
/// (about 238 bits), safe in a header, a URL and a shell.
pub fn random_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..40).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// On the first start (no user yet), creates the `admin` user with a key:
/// the one given (from `SLUICE_ADMIN_ACCESS_KEY_ID`/`..._SECRET_ACCESS_KEY`)
/// or a new one, which is written to `<data-dir>/admin-credentials` (mode
/// 0600) and returned so it can be printed once.
pub async fn bootstrap(
    driver: &Driver,
    data_dir: &Path,
    given: Option<(String, String)>,
) -> Result<Option<(String, String)>, BootstrapError> {
    let store = driver.store();
    if !store.list_users().await?.is_empty() {
        // An existing installation: a given admin key is added if missing,
        // so automation can rely on the variables alone.
        if let Some((id, secret)) = given {
            if store.find_access_key(&id).await?.is_none() {
                store.create_access_key("admin", &id, &secret, now_ms()).await?;
            }
        }
        return Ok(None);
    }
    let generated = given.is_none();
    let (id, secret) = given.unwrap_or_else(generate);
    store.create_user("admin", "admin", now_ms()).await?;
    store.create_access_key("admin", &id, &secret, now_ms()).await?;
    if !generated {
        return Ok(None);
    }
    write_private(
        &data_dir.join("admin-credentials"),
        &format!("SLUICE_ACCESS_KEY_ID={id}\nSLUICE_SECRET_ACCESS_KEY={secret}\n"),
    )?;
    Ok(Some((id, secret)))
}

/// Writes a file only its owner can read, replacing it atomically.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&temporary)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("storing the admin credentials failed: {0}")]
    Store(#[from] sluice_store::Error),
    #[error("writing the admin credentials file failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads `KEY=value` lines of a credentials file.
pub fn read_credentials_file(path: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(str::to_string);
    Some((value("SLUICE_ACCESS_KEY_ID")?, value("SLUICE_SECRET_ACCESS_KEY")?))
}
