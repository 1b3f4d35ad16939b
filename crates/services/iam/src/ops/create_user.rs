//! [CreateUser](https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html).
//! Deviations: `Tags` and `PermissionsBoundary` are not stored.

use crate::store::{self, User};
use crate::{Error, Iam, keys};

impl Iam {
    /// Creates the user `name` under `path` (`/` when `None`).
    pub async fn create_user(&self, name: &str, path: Option<&str>) -> Result<User, Error> {
        let created = self.clock.unix_seconds();
        let user = User {
            name: name.to_string(),
            id: keys::new_user_id(),
            path: path.unwrap_or("/").to_string(),
            created,
        };
        self.kv
            .transact(|tx| {
                if let Some(existing) = store::get_user(tx, &self.account, name)? {
                    return Err(Error::EntityAlreadyExists(format!(
                        "User with name {} already exists.",
                        existing.name
                    )));
                }
                store::put_user(tx, &self.account, &user);
                Ok(())
            })
            .await?;
        Ok(user)
    }
}
