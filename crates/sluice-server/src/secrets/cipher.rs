//! Secret values at rest: XChaCha20-Poly1305 under one 32-byte key, with a
//! fresh random nonce per value and the secret's name as associated data,
//! so a ciphertext copied onto another name does not decrypt.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

pub struct Cipher {
    aead: XChaCha20Poly1305,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the secret key file {0} cannot be read or created: {1}")]
    Io(String, std::io::Error),
    #[error("the secret key file {0} must hold exactly 32 bytes (it holds {1})")]
    Length(String, usize),
}

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Cipher {
        Cipher { aead: XChaCha20Poly1305::new(Key::from_slice(key)) }
    }

    /// The key in `path`, made (32 random bytes, mode 0600) when missing.
    /// Servers sharing one PostgreSQL database must share this file.
    pub fn load_or_create(path: &Path) -> Result<Cipher, KeyError> {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::Length(shown, bytes.len()))?;
                Ok(Cipher::new(&key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_new(path, &key).map_err(|e| KeyError::Io(shown.clone(), e))?;
                // Another process may have won the race: use what is on disk.
                Cipher::load_or_create(path)
            }
            Err(e) => Err(KeyError::Io(shown, e)),
        }
    }

    /// `{"nonce", "ciphertext"}`, base64.
    pub fn seal(&self, name: &str, value: &str) -> Value {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: value.as_bytes(), aad: name.as_bytes() })
            .expect("encryption of an in-memory buffer does not fail");
        json!({ "nonce": STANDARD.encode(nonce), "ciphertext": STANDARD.encode(sealed) })
    }

    /// The value [`Cipher::seal`] sealed for `name`; `None` when the data
    /// was changed, belongs to another name or another key.
    pub fn open(&self, name: &str, sealed: &Value) -> Option<String> {
        let nonce = STANDARD.decode(sealed["nonce"].as_str()?).ok()?;
        let ciphertext = STANDARD.decode(sealed["ciphertext"].as_str()?).ok()?;
        if nonce.len() != 24 {
            return None;
        }
        let plain =
            self.aead.decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: name.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// Creates `path` with `bytes`, readable by its owner only; fails if it exists.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    };
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_are_bound_to_their_name_and_key() {
        let cipher = Cipher::new(&[7; 32]);
        let sealed = cipher.seal("db-password", "hunter2");
        assert!(!sealed.to_string().contains("hunter2"));
        assert_eq!(cipher.open("db-password", &sealed).as_deref(), Some("hunter2"));
        assert_eq!(cipher.open("other", &sealed), None);
        assert_eq!(Cipher::new(&[8; 32]).open("db-password", &sealed), None);
        let mut tampered = sealed.clone();
        tampered["nonce"] = json!(STANDARD.encode([0u8; 24]));
        assert_eq!(cipher.open("db-password", &tampered), None);
        // Two seals of one value differ (fresh nonces).
        assert_ne!(cipher.seal("a", "v"), cipher.seal("a", "v"));
    }

    #[test]
    fn the_key_file_is_made_once_private_and_then_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/secret-key");
        let sealed = Cipher::load_or_create(&path).unwrap().seal("n", "v");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(Cipher::load_or_create(&path).unwrap().open("n", &sealed).as_deref(), Some("v"));
        std::fs::write(&path, b"short").unwrap();
        assert!(matches!(Cipher::load_or_create(&path), Err(KeyError::Length(_, 5))));
    }
}
