//! The data directory: the embedded store, the administrator's credentials, and the file that
//! tells the CLI where a running server listens.
//!
//! ```text
//! .unkai/
//!   store/        the embedded engine's files
//!   credentials   the administrator's access key, in the AWS shared-credentials format (0600)
//!   server.json   {"endpoint", "region", "pid"} while a server runs
//! ```

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;

/// A data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    path: PathBuf,
}

/// What a running server publishes about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// `http://127.0.0.1:4566`.
    pub endpoint: String,
    /// The region clients should use.
    pub region: String,
    /// The server's process id.
    pub pid: u32,
}

/// An access key and its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPair {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl DataDir {
    /// The data directory at `path` (not created yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Creates the directory. Only its owner may list it; others (functions' workers, which
    /// run as users of their own) may pass through it to their code, and nothing else: the
    /// store is its owner's alone, the credentials file too.
    pub fn create(&self) -> Result<(), Error> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.path)
            .map_err(|error| Error::io(&self.path, error))?;
        let store = self.store();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&store)
            .map_err(|error| Error::io(&store, error))?;
        fs::set_permissions(&store, fs::Permissions::from_mode(0o700))
            .map_err(|error| Error::io(&store, error))?;
        fs::set_permissions(&self.path, fs::Permissions::from_mode(0o711))
            .map_err(|error| Error::io(&self.path, error))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the embedded store keeps its files.
    pub fn store(&self) -> PathBuf {
        self.path.join("store")
    }

    fn credentials_file(&self) -> PathBuf {
        self.path.join("credentials")
    }

    fn server_file(&self) -> PathBuf {
        self.path.join("server.json")
    }

    /// The administrator's key, when one was saved.
    pub fn credentials(&self) -> Option<KeyPair> {
        let text = fs::read_to_string(self.credentials_file()).ok()?;
        let field = |name: &str| {
            text.lines()
                .filter_map(|line| line.split_once('='))
                .find(|(key, _)| key.trim() == name)
                .map(|(_, value)| value.trim().to_string())
        };
        Some(KeyPair {
            access_key_id: field("aws_access_key_id")?,
            secret_access_key: field("aws_secret_access_key")?,
        })
    }

    /// Saves the administrator's key, readable by its owner only.
    pub fn save_credentials(&self, key: &KeyPair) -> Result<(), Error> {
        let text = format!(
            "# unkai administrator credentials; keep this file private.\n\
             # `unkai env` prints them as environment variables.\n\
             [default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            key.access_key_id, key.secret_access_key
        );
        write_private(&self.credentials_file(), text.as_bytes())
    }

    /// What the running server published, if a server published anything.
    pub fn server(&self) -> Option<ServerInfo> {
        let text = fs::read_to_string(self.server_file()).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Publishes where this server listens.
    pub fn publish_server(&self, info: &ServerInfo) -> Result<(), Error> {
        let text = serde_json::to_vec_pretty(info).expect("ServerInfo serializes");
        write_private(&self.server_file(), &text)
    }

    /// Withdraws what [`DataDir::publish_server`] published.
    pub fn withdraw_server(&self) {
        let _ = fs::remove_file(self.server_file());
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let temporary = path.with_extension("tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(|error| Error::io(&temporary, error))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|error| Error::io(&temporary, error))?;
    fs::rename(&temporary, path).map_err(|error| Error::io(path, error))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn credentials_and_server_info_round_trip_privately() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path().join("data"));
        data.create().unwrap();
        assert!(data.credentials().is_none());
        let key = KeyPair {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: "s/e+c=ret".into(),
        };
        data.save_credentials(&key).unwrap();
        assert_eq!(data.credentials(), Some(key));
        let mode = fs::metadata(data.credentials_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = fs::metadata(data.path()).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o711);
        let store_mode = fs::metadata(data.store()).unwrap().permissions().mode();
        assert_eq!(store_mode & 0o777, 0o700);
        let info = ServerInfo {
            endpoint: "http://127.0.0.1:4566".into(),
            region: "us-east-1".into(),
            pid: 7,
        };
        data.publish_server(&info).unwrap();
        assert_eq!(data.server(), Some(info));
        data.withdraw_server();
        assert!(data.server().is_none());
    }
}
