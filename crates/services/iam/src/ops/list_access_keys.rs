//! [ListAccessKeys](https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html).

use crate::store::{self, AccessKey};
use crate::{Error, Iam};

/// One page of access keys.
#[derive(Debug)]
pub struct AccessKeyPage {
    /// The keys.
    pub keys: Vec<AccessKey>,
    /// Where the next page starts, when there is one.
    pub marker: Option<String>,
}

impl Iam {
    /// Up to `max_items` access keys of `user` after `marker`.
    pub async fn list_access_keys(
        &self,
        user: &str,
        marker: Option<&str>,
        max_items: usize,
    ) -> Result<AccessKeyPage, Error> {
        self.kv
            .transact(|tx| {
                if store::get_user(tx, &self.account, user)?.is_none() {
                    return Err(Error::no_such_user(user));
                }
                let mut keys: Vec<AccessKey> = store::list_access_keys(tx, &self.account, user)?
                    .into_iter()
                    .filter(|key| marker.is_none_or(|marker| key.id.as_str() > marker))
                    .collect();
                let marker = (keys.len() > max_items).then(|| {
                    keys.truncate(max_items);
                    keys.last().map(|key| key.id.clone())
                });
                Ok(AccessKeyPage {
                    keys,
                    marker: marker.flatten(),
                })
            })
            .await
    }
}
