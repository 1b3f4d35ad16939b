//! [CreateAccessKey](https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html).

use crate::store::{self, AccessKey};
use crate::{Error, Iam, keys};

/// Access keys a user may have, active or not.
const KEYS_PER_USER: usize = 2;

impl Iam {
    /// Creates an access key for the user `user`.
    pub async fn create_access_key(&self, user: &str) -> Result<AccessKey, Error> {
        let created = self.clock.unix_seconds();
        let (id, secret) = (keys::new_access_key_id(), keys::new_secret());
        self.kv
            .transact(|tx| {
                let Some(owner) = store::get_user(tx, &self.account, user)? else {
                    return Err(Error::no_such_user(user));
                };
                let held =
                    tx.range(&store::user_access_keys(&self.account, user), KEYS_PER_USER)?;
                if held.len() >= KEYS_PER_USER {
                    return Err(Error::LimitExceeded(format!(
                        "Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}"
                    )));
                }
                let key = AccessKey {
                    id: id.clone(),
                    secret: secret.clone(),
                    account: self.account.clone(),
                    user: owner.name,
                    active: true,
                    created,
                };
                store::put_access_key(tx, &key);
                Ok(key)
            })
            .await
    }
}
