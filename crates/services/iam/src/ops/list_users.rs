//! [ListUsers](https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html).
//! Users are listed by case-insensitive name; the marker is the last name of the page.

use crate::store::{self, User};
use crate::{Error, Iam};

/// One page of users.
#[derive(Debug)]
pub struct UserPage {
    /// The users.
    pub users: Vec<User>,
    /// Where the next page starts, when there is one.
    pub marker: Option<String>,
}

impl Iam {
    /// Up to `max_items` users whose path starts with `path_prefix`, after `marker`.
    pub async fn list_users(
        &self,
        path_prefix: &str,
        marker: Option<&str>,
        max_items: usize,
    ) -> Result<UserPage, Error> {
        self.kv
            .transact(|tx| {
                let mut range = store::users(&self.account);
                if let Some(marker) = marker {
                    range.start = store::after_user(&self.account, marker);
                }
                let mut users = Vec::new();
                loop {
                    let page = tx.range(&range, 256)?;
                    let exhausted = page.len() < 256;
                    for (key, value) in &page {
                        let user = store::decode_user(key, value)?;
                        if user.path.starts_with(path_prefix) {
                            users.push(user);
                        }
                        if users.len() > max_items {
                            break;
                        }
                    }
                    match page.last() {
                        Some((last, _)) if !exhausted && users.len() <= max_items => {
                            range.start = [last.as_slice(), &[0]].concat();
                        }
                        _ => break,
                    }
                }
                let marker = (users.len() > max_items).then(|| {
                    users.truncate(max_items);
                    users.last().map(|user| user.name.to_lowercase())
                });
                Ok::<_, Error>(UserPage {
                    users,
                    marker: marker.flatten(),
                })
            })
            .await
    }
}
