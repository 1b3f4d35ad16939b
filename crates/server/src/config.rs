//! The configuration: defaults, then an optional TOML file, then environment and flags (which
//! the binary applies). Unknown keys are refused.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;
use unkai_store_embedded::Durability;

use crate::Error;

/// Everything unkai can be configured with. Every field has a default.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where to listen. Default `127.0.0.1:4566`.
    pub listen: SocketAddr,
    /// The address (`host:port`) the other nodes of a cluster reach this one at, when it is not
    /// `listen` (a node listening on `0.0.0.0`): where they pass on `@connections` requests
    /// for the WebSocket connections this node holds. Default: the address it listens on.
    pub advertise: Option<String>,
    /// The data directory. Default `.unkai` under the current directory.
    pub data_dir: PathBuf,
    /// The region clients are told to use. Requests signed for any region are accepted.
    /// Default `us-east-1`.
    pub region: String,
    /// The 12-digit account every resource belongs to. Default `000000000000`.
    pub account_id: String,
    /// The store.
    pub store: StoreConfig,
    /// Authentication.
    pub auth: AuthConfig,
    /// Threads serving requests. Default: one per CPU unkai may run on.
    pub workers: Option<usize>,
    /// Functions (Lambda).
    pub functions: FunctionsConfig,
}

/// How functions run.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FunctionsConfig {
    /// The account's concurrency limit. Default 1000, as AWS.
    pub account_concurrency: u32,
    /// Seconds an instance stays warm without work. Default 300.
    pub idle_timeout_seconds: u64,
    /// Seconds before the two retries of a failed `Event` invocation. Default `[60, 120]`,
    /// about what Lambda waits; lower them to see retries sooner during development.
    pub retry_delays_seconds: [u64; 2],
    /// The Python interpreter for `python3.x` functions. Default `python3` on the `PATH`.
    pub python: PathBuf,
    /// Node.js for `nodejs*` functions. Default `node` on the `PATH`.
    pub node: PathBuf,
    /// A directory of Python packages every Python function can import after its own code
    /// and layers, as Lambda's runtimes include boto3 (`pip install --target DIR boto3`).
    pub python_sdk: Option<PathBuf>,
    /// A `node_modules` directory every Node.js function can import after its own, as
    /// Lambda's runtimes include the AWS SDK v3 (`npm install --prefix DIR @aws-sdk/…`).
    pub node_sdk: Option<PathBuf>,
    /// Prepare the SDKs Lambda's runtimes include (boto3, the AWS SDK v3 for Node.js) once
    /// per machine, when a function first needs one and `python_sdk` / `node_sdk` are not
    /// set. Needs the package registries (PyPI, npm) that one time. Default on.
    pub prepare_sdks: bool,
    /// Confine workers (Landlock, a private /tmp, a user id per function when root).
    /// Default on; off saves a process start (~1.5 ms) per cold start on small machines.
    pub sandbox: bool,
}

impl Default for FunctionsConfig {
    fn default() -> Self {
        Self {
            account_concurrency: 1000,
            idle_timeout_seconds: 300,
            retry_delays_seconds: [60, 120],
            python: PathBuf::from("python3"),
            node: PathBuf::from("node"),
            python_sdk: None,
            node_sdk: None,
            prepare_sdks: true,
            sandbox: true,
        }
    }
}

/// Where state is kept.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `postgres://…` to keep state in PostgreSQL (or CockroachDB, YugabyteDB); absent for the
    /// embedded store in the data directory.
    pub url: Option<String>,
    /// What an acknowledged write promises with the embedded store: `fsync` (default) or `os`.
    pub durability: Durability,
}

/// How requests are authenticated.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Also accept the conventional local-development key `test` with secret `test`. Only
    /// allowed when listening on a loopback address. Default off.
    pub dev_credentials: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 4566)),
            advertise: None,
            data_dir: PathBuf::from(".unkai"),
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            store: StoreConfig::default(),
            auth: AuthConfig::default(),
            workers: None,
            functions: FunctionsConfig::default(),
        }
    }
}

impl Config {
    /// Parses a TOML configuration file's text.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|error| Error::Config(error.to_string()))
    }

    /// Checks the values that types alone do not.
    pub fn validate(&self) -> Result<(), Error> {
        if self.workers == Some(0) {
            return Err(Error::Config("workers must be at least 1".into()));
        }
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Config(format!(
                "account_id must be 12 digits, not {:?}",
                self.account_id
            )));
        }
        let region_ok = !self.region.is_empty()
            && self
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(Error::Config(format!(
                "region must be lowercase letters, digits and dashes, not {:?}",
                self.region
            )));
        }
        if self.auth.dev_credentials && !self.listen.ip().is_loopback() {
            return Err(Error::Config(format!(
                "dev_credentials (the test/test key) are only allowed on a loopback address, \
                 and unkai is configured to listen on {}",
                self.listen
            )));
        }
        if let Some(advertise) = &self.advertise {
            let valid = advertise
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !valid {
                return Err(Error::Config(format!(
                    "advertise must be host:port, not {advertise:?}"
                )));
            }
        }
        let postgres =
            |url: &str| url.starts_with("postgres://") || url.starts_with("postgresql://");
        if let Some(url) = self.store.url.as_deref().filter(|url| !postgres(url)) {
            return Err(Error::Config(format!(
                "store url must start with postgres:// or postgresql://, not {url:?}"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_override_defaults_and_unknown_keys_are_refused() {
        let config = Config::from_toml(
            "listen = \"127.0.0.1:5000\"\nregion = \"eu-west-3\"\nworkers = 1\n\
             [store]\ndurability = \"os\"\n",
        )
        .unwrap();
        assert_eq!(config.workers, Some(1));
        assert_eq!(config.listen.port(), 5000);
        assert_eq!(config.region, "eu-west-3");
        assert_eq!(config.store.durability, Durability::Os);
        assert_eq!(config.account_id, "000000000000");
        let unknown = Config::from_toml("listen_addr = \"127.0.0.1:1\"").unwrap_err();
        assert!(
            unknown.to_string().contains("unknown field `listen_addr`"),
            "{unknown}"
        );
        let bad = Config::from_toml("[store]\ndurability = \"sometimes\"").unwrap_err();
        assert!(
            bad.to_string().contains("unknown variant `sometimes`"),
            "{bad}"
        );
    }

    #[test]
    fn validation_explains_what_is_wrong() {
        let mut config = Config {
            account_id: "12".into(),
            ..Config::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("12 digits")
        );
        config.account_id = "123456789012".into();
        config.auth.dev_credentials = true;
        config.listen = "0.0.0.0:4566".parse().unwrap();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("loopback")
        );
        config.listen = "[::1]:4566".parse().unwrap();
        config.validate().unwrap();
        config.workers = Some(0);
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("workers")
        );
        config.workers = None;
        config.advertise = Some("10.0.0.7".into());
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("host:port")
        );
        config.advertise = Some("node-1.internal:4566".into());
        config.validate().unwrap();
        config.store.url = Some("mysql://x".into());
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("postgres://")
        );
    }
}
