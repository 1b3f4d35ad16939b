//! [DeleteAccessKey](https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html).

use crate::store;
use crate::{Error, Iam};

impl Iam {
    /// Deletes the access key `id` of the user `user`.
    pub async fn delete_access_key(&self, id: &str, user: &str) -> Result<(), Error> {
        self.kv
            .transact(|tx| {
                if store::get_user(tx, &self.account, user)?.is_none() {
                    return Err(Error::no_such_user(user));
                }
                let key = store::get_access_key(tx, id)?
                    .filter(|key| {
                        key.account == self.account && key.user.eq_ignore_ascii_case(user)
                    })
                    .ok_or_else(|| {
                        Error::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
                    })?;
                store::delete_access_key(tx, &key);
                Ok(())
            })
            .await?;
        self.keys.forget(id);
        Ok(())
    }
}
