//! [DeleteUser](https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html).

use crate::store;
use crate::{Error, Iam};

impl Iam {
    /// Deletes the user `name`, which must have no access keys.
    pub async fn delete_user(&self, name: &str) -> Result<(), Error> {
        self.kv
            .transact(|tx| {
                if store::get_user(tx, &self.account, name)?.is_none() {
                    return Err(Error::no_such_user(name));
                }
                if !tx
                    .range(&store::user_access_keys(&self.account, name), 1)?
                    .is_empty()
                {
                    return Err(Error::DeleteConflict(
                        "Cannot delete entity, must delete access keys first.".into(),
                    ));
                }
                store::delete_user(tx, &self.account, name);
                Ok(())
            })
            .await
    }
}
