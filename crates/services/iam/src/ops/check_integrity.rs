//! Not an AWS operation: checks that IAM's records agree with each other (every access key
//! indexed under its user and every index entry backed by a key of an existing user). The crash
//! test runs it after killing unkai under write load.

use std::collections::BTreeSet;

use unkai_store::record;

use crate::store::{self, AccessKey};
use crate::{Error, Iam};

impl Iam {
    /// Every inconsistency found, described; empty when the records agree.
    pub async fn check_integrity(&self) -> Result<Vec<String>, Error> {
        self.kv
            .transact(|tx| {
                let mut problems = Vec::new();
                let mut indexed = BTreeSet::new();
                for (key, _) in tx.range(&store::all_user_access_keys(), usize::MAX)? {
                    indexed.insert(store::decode_user_access_key(&key)?);
                }
                let mut stored = BTreeSet::new();
                for (key, value) in tx.range(&store::all_access_keys(), usize::MAX)? {
                    let access_key: AccessKey = record::decode(&key, &value)?;
                    stored.insert((
                        access_key.account.clone(),
                        access_key.user.to_lowercase(),
                        access_key.id.clone(),
                    ));
                    if store::get_user(tx, &access_key.account, &access_key.user)?.is_none() {
                        problems.push(format!(
                            "access key {} belongs to a missing user {}",
                            access_key.id, access_key.user
                        ));
                    }
                }
                for (account, user, id) in indexed.difference(&stored) {
                    problems.push(format!(
                        "user {user} of {account} indexes a missing access key {id}"
                    ));
                }
                for (_, user, id) in stored.difference(&indexed) {
                    problems.push(format!(
                        "access key {id} is not indexed under its user {user}"
                    ));
                }
                Ok(problems)
            })
            .await
    }
}
