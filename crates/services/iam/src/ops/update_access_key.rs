//! [UpdateAccessKey](https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html).
//! An inactive key no longer signs requests.

use crate::store;
use crate::{Error, Iam};

impl Iam {
    /// Activates or deactivates the access key `id` of the user `user`.
    pub async fn update_access_key(&self, id: &str, user: &str, active: bool) -> Result<(), Error> {
        self.kv
            .transact(|tx| {
                if store::get_user(tx, &self.account, user)?.is_none() {
                    return Err(Error::no_such_user(user));
                }
                let mut key = store::get_access_key(tx, id)?
                    .filter(|key| {
                        key.account == self.account && key.user.eq_ignore_ascii_case(user)
                    })
                    .ok_or_else(|| {
                        Error::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
                    })?;
                key.active = active;
                store::put_access_key(tx, &key);
                Ok(())
            })
            .await?;
        self.keys.forget(id);
        Ok(())
    }
}
