//! Where the server is and which key to sign with. In order: the flags, the environment
//! (`SLUICE_ENDPOINT`, `SLUICE_ACCESS_KEY_ID`, `SLUICE_SECRET_ACCESS_KEY`, which clap reads into
//! the same fields), then the local data directory: its `admin-credentials` file and the
//! server's default address.

use super::{Endpoint, Error};
use sluice_sigv4::Credentials;
use std::path::{Path, PathBuf};

/// Where `sluice server` listens unless told otherwise.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:7700";

/// The connection flags, global to every command.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConnectionArgs {
    /// The sluice server to talk to [default: http://127.0.0.1:7700].
    #[arg(long, global = true, env = "SLUICE_ENDPOINT", value_name = "URL", help_heading = "Connection")]
    pub endpoint: Option<String>,
    /// The access key id to sign requests with [default: the data directory's admin-credentials].
    #[arg(long, global = true, env = "SLUICE_ACCESS_KEY_ID", value_name = "ID", help_heading = "Connection")]
    pub access_key_id: Option<String>,
    /// The secret of that access key.
    #[arg(
        long,
        global = true,
        env = "SLUICE_SECRET_ACCESS_KEY",
        hide_env_values = true,
        value_name = "SECRET",
        help_heading = "Connection"
    )]
    pub secret_access_key: Option<String>,
}

/// A resolved connection.
#[derive(Clone, Debug)]
pub struct Settings {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
}

impl Settings {
    pub fn resolve(args: &ConnectionArgs, data_dir: &Path) -> Result<Settings, Error> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let endpoint = Endpoint::parse(&given(&args.endpoint).unwrap_or_else(|| DEFAULT_ENDPOINT.to_string()))?;
        let credentials = match (given(&args.access_key_id), given(&args.secret_access_key)) {
            (Some(access_key_id), Some(secret_access_key)) => Credentials { access_key_id, secret_access_key },
            (Some(_), None) => {
                return Err(Error::Endpoint(
                    "an access key id was given without its secret: pass --secret-access-key or set \
                     SLUICE_SECRET_ACCESS_KEY"
                        .into(),
                ));
            }
            (None, Some(_)) => {
                return Err(Error::Endpoint(
                    "a secret access key was given without its id: pass --access-key-id or set SLUICE_ACCESS_KEY_ID"
                        .into(),
                ));
            }
            (None, None) => {
                let file = credentials_file(data_dir);
                let Some((access_key_id, secret_access_key)) = sluice_server::credentials::read_credentials_file(&file)
                else {
                    return Err(Error::Endpoint(format!(
                        "no credentials: pass --access-key-id and --secret-access-key, set SLUICE_ACCESS_KEY_ID and \
                         SLUICE_SECRET_ACCESS_KEY, or point --data-dir at the server's data directory (no readable \
                         {})",
                        file.display()
                    )));
                };
                Credentials { access_key_id, secret_access_key }
            }
        };
        Ok(Settings { endpoint, credentials })
    }
}

fn credentials_file(data_dir: &Path) -> PathBuf {
    data_dir.join("admin-credentials")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(endpoint: Option<&str>, id: Option<&str>, secret: Option<&str>) -> ConnectionArgs {
        ConnectionArgs {
            endpoint: endpoint.map(Into::into),
            access_key_id: id.map(Into::into),
            secret_access_key: secret.map(Into::into),
        }
    }

    fn data_dir_with_admin_key() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("admin-credentials"),
            "SLUICE_ACCESS_KEY_ID=AKIAFROMFILE\nSLUICE_SECRET_ACCESS_KEY=secret/from+file\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn given_values_win_over_the_data_directory() {
        let dir = data_dir_with_admin_key();
        let settings =
            Settings::resolve(&args(Some("http://10.0.0.5:80"), Some("AKIAGIVEN"), Some("s")), dir.path()).unwrap();
        assert_eq!(settings.endpoint.shown, "http://10.0.0.5:80");
        assert_eq!(settings.credentials.access_key_id, "AKIAGIVEN");
        assert_eq!(settings.credentials.secret_access_key, "s");
    }

    #[test]
    fn the_data_directory_gives_the_admin_key_and_the_default_address() {
        let dir = data_dir_with_admin_key();
        let settings = Settings::resolve(&args(None, None, None), dir.path()).unwrap();
        assert_eq!(settings.endpoint.shown, DEFAULT_ENDPOINT);
        assert_eq!(settings.credentials.access_key_id, "AKIAFROMFILE");
        assert_eq!(settings.credentials.secret_access_key, "secret/from+file");
        // Empty values (an exported but empty variable) count as not given.
        let settings = Settings::resolve(&args(Some(""), Some(" "), Some("")), dir.path()).unwrap();
        assert_eq!(settings.credentials.access_key_id, "AKIAFROMFILE");
    }

    #[test]
    fn half_a_key_or_no_key_says_what_to_do() {
        let dir = data_dir_with_admin_key();
        let err = Settings::resolve(&args(None, Some("AKIA"), None), dir.path()).unwrap_err().to_string();
        assert!(err.contains("--secret-access-key"), "{err}");
        let err = Settings::resolve(&args(None, None, Some("s")), dir.path()).unwrap_err().to_string();
        assert!(err.contains("--access-key-id"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        let err = Settings::resolve(&args(None, None, None), empty.path()).unwrap_err().to_string();
        assert!(err.starts_with("no credentials:") && err.contains("admin-credentials"), "{err}");
    }
}
