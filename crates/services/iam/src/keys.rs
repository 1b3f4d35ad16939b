//! The access keys the edge authenticates with: lookups through a short-lived cache, key
//! generation, and the administrator created on first start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use sha2::Digest;
use unkai_edge::{BoxFuture, Credentials, Identity};
use unkai_store::Kv;
use unkai_types::{Caller, Clock};

use crate::store;

/// How long a looked-up key is trusted without reading the store again. Deletions on this node
/// take effect at once; on other nodes of a cluster within this time (AWS IAM is eventually
/// consistent too).
const CACHE_TTL: Duration = Duration::from_secs(5);

/// Access keys, as the edge sees them.
pub struct Keys {
    kv: Kv,
    clock: Clock,
    cache: Mutex<HashMap<String, (Arc<Identity>, Instant)>>,
    dev: Option<Arc<Identity>>,
}

/// The conventional local-development access key, accepted only when enabled.
pub const DEV_ACCESS_KEY: &str = "test";

impl Keys {
    pub(crate) fn new(kv: Kv, clock: Clock) -> Self {
        Self {
            kv,
            clock,
            cache: Mutex::new(HashMap::new()),
            dev: None,
        }
    }

    /// Also accepts the key `test` with secret `test`, as `caller`.
    pub fn accept_dev_key(&mut self, caller: Caller) {
        self.dev = Some(Arc::new(Identity {
            secret: DEV_ACCESS_KEY.into(),
            session_token: None,
            caller: Caller {
                access_key_id: DEV_ACCESS_KEY.into(),
                ..caller
            },
        }));
    }

    /// Forgets a cached key (after it was deleted or deactivated).
    pub(crate) fn forget(&self, access_key_id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(access_key_id);
        }
    }

    async fn load(&self, access_key_id: &str) -> Result<Option<Arc<Identity>>, String> {
        if access_key_id.starts_with("ASIA") {
            return self.load_session(access_key_id).await;
        }
        let found = self
            .kv
            .transact(|tx| {
                let Some(key) = store::get_access_key(tx, access_key_id)? else {
                    return Ok(None);
                };
                let user = store::get_user(tx, &key.account, &key.user)?;
                Ok::<_, unkai_store::Error>(user.map(|user| (key, user)))
            })
            .await
            .map_err(|error| error.to_string())?;
        let Some((key, user)) = found.filter(|(key, _)| key.active) else {
            return Ok(None);
        };
        let identity = Arc::new(Identity {
            secret: key.secret,
            session_token: None,
            caller: Caller {
                arn: user.arn(&key.account),
                account: key.account,
                user_id: user.id,
                access_key_id: key.id,
            },
        });
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(
                access_key_id.to_string(),
                (identity.clone(), Instant::now()),
            );
        }
        Ok(Some(identity))
    }
}

impl Keys {
    async fn load_session(&self, access_key_id: &str) -> Result<Option<Arc<Identity>>, String> {
        let session = self
            .kv
            .transact(|tx| store::get_session(tx, access_key_id))
            .await
            .map_err(|error| error.to_string())?;
        let Some(session) = session.filter(|session| session.expires > self.clock.unix_seconds())
        else {
            return Ok(None);
        };
        let role = session.role_arn.rsplit('/').next().unwrap_or_default();
        // A stable id for the role, as AWS's `AROA…` ids are.
        let digest = sha2::Sha256::digest(session.role_arn.as_bytes());
        let role_id: String = digest
            .iter()
            .take(16)
            .map(|byte| char::from(BASE32[usize::from(byte % 32)]))
            .collect();
        let identity = Arc::new(Identity {
            secret: session.secret,
            session_token: Some(session.token),
            caller: Caller {
                arn: format!(
                    "arn:aws:sts::{}:assumed-role/{role}/{}",
                    session.account, session.name
                ),
                account: session.account,
                user_id: format!("AROA{role_id}:{}", session.name),
                access_key_id: session.id,
            },
        });
        Ok(Some(identity))
    }
}

impl Credentials for Keys {
    fn lookup<'a>(
        &'a self,
        access_key_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<Identity>>, String>> {
        if let Some(dev) = self
            .dev
            .as_ref()
            .filter(|_| access_key_id == DEV_ACCESS_KEY)
        {
            let dev = dev.clone();
            return Box::pin(std::future::ready(Ok(Some(dev))));
        }
        let cached = self.cache.lock().ok().and_then(|cache| {
            cache
                .get(access_key_id)
                .filter(|(_, at)| at.elapsed() < CACHE_TTL)
                .map(|(identity, _)| identity.clone())
        });
        match cached {
            Some(identity) => Box::pin(std::future::ready(Ok(Some(identity)))),
            None => Box::pin(self.load(access_key_id)),
        }
    }
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_string(prefix: &str, alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    for _ in 0..len {
        out.push(char::from(alphabet[rng.random_range(0..alphabet.len())]));
    }
    out
}

/// A new temporary access key id: `ASIA` and 16 base32 characters.
pub(crate) fn new_session_key_id() -> String {
    random_string("ASIA", BASE32, 16)
}

/// A new session token.
pub(crate) fn new_session_token() -> String {
    random_string("IQoJb3JpZ2luX2VjE", SECRET_ALPHABET, 300)
}

/// A new access key id: `AKIA` and 16 base32 characters, like AWS's.
pub(crate) fn new_access_key_id() -> String {
    random_string("AKIA", BASE32, 16)
}

/// A new secret access key: 40 characters, like AWS's.
pub(crate) fn new_secret() -> String {
    random_string("", SECRET_ALPHABET, 40)
}

/// A new user id: `AIDA` and 17 base32 characters.
pub(crate) fn new_user_id() -> String {
    random_string("AIDA", BASE32, 17)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_look_like_aws_ids() {
        let id = new_access_key_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("AKIA"));
        assert!(id.bytes().all(|b| BASE32.contains(&b)));
        assert_eq!(new_secret().len(), 40);
        assert_eq!(new_user_id().len(), 21);
        assert_ne!(new_secret(), new_secret());
    }
}
