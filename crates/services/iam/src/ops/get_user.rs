//! [GetUser](https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html).

use crate::store::{self, User};
use crate::{Error, Iam};

impl Iam {
    /// The user `name`.
    pub async fn get_user(&self, name: &str) -> Result<User, Error> {
        self.kv
            .transact(|tx| {
                store::get_user(tx, &self.account, name)?.ok_or_else(|| Error::no_such_user(name))
            })
            .await
    }
}
