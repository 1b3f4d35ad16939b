//! IAM's keyspace: users by account and lowercase name (IAM names are case-insensitive), access
//! keys by id, and each user's keys.
//!
//! | key | value |
//! |---|---|
//! | `Iam, "user", account, lowercase name` | [`User`] |
//! | `Iam, "key", access key id` | [`AccessKey`] |
//! | `Iam, "user-key", account, lowercase name, access key id` | empty |
//! | `Iam, "session", access key id` | [`Session`] |

use serde::{Deserialize, Serialize};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Result, Space, Tx, tuple};

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The name, as created.
    pub name: String,
    /// The unique id (`AIDA…`).
    pub id: String,
    /// The path (`/` by default).
    pub path: String,
    /// Creation time, seconds since the epoch.
    pub created: u64,
}

impl Record for User {
    const VERSION: u8 = 1;
}

impl User {
    /// The user's ARN in `account`.
    pub fn arn(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:user{}{}", self.path, self.name)
    }
}

/// An access key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The access key id (`AKIA…`).
    pub id: String,
    /// The secret access key.
    pub secret: String,
    /// The account of its user.
    pub account: String,
    /// The name of its user.
    pub user: String,
    /// Whether it may sign requests.
    pub active: bool,
    /// Creation time, seconds since the epoch.
    pub created: u64,
}

impl Record for AccessKey {
    const VERSION: u8 = 1;
}

/// A role session: temporary credentials that act as a role (what a function runs as).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The access key id (`ASIA…`).
    pub id: String,
    /// The secret access key.
    pub secret: String,
    /// The session token requests must carry.
    pub token: String,
    /// The account of the role.
    pub account: String,
    /// The role's ARN.
    pub role_arn: String,
    /// The session name (a function's name).
    pub name: String,
    /// When it stops working, seconds since the epoch.
    pub expires: u64,
}

impl Record for Session {
    const VERSION: u8 = 1;
}

fn session_key(id: &str) -> Vec<u8> {
    tuple::key(Space::Iam).str("session").str(id).finish()
}

pub(crate) fn get_session(tx: &mut Tx, id: &str) -> Result<Option<Session>> {
    let key = session_key(id);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_session(tx: &mut Tx, session: &Session) {
    tx.set(session_key(&session.id), record::encode(session));
}

fn user_key(account: &str, name: &str) -> Vec<u8> {
    tuple::key(Space::Iam)
        .str("user")
        .str(account)
        .str(&name.to_lowercase())
        .finish()
}

/// Every user of `account`, ordered by lowercase name.
pub(crate) fn users(account: &str) -> KeyRange {
    tuple::key(Space::Iam).str("user").str(account).range()
}

/// The first key after the user named `name` (for pagination).
pub(crate) fn after_user(account: &str, name: &str) -> Vec<u8> {
    let mut key = user_key(account, name);
    key.push(0xFF);
    key
}

fn access_key_key(id: &str) -> Vec<u8> {
    tuple::key(Space::Iam).str("key").str(id).finish()
}

fn user_access_key(account: &str, user: &str, id: &str) -> Vec<u8> {
    tuple::key(Space::Iam)
        .str("user-key")
        .str(account)
        .str(&user.to_lowercase())
        .str(id)
        .finish()
}

/// The keys of a user, ordered by id.
pub(crate) fn user_access_keys(account: &str, user: &str) -> KeyRange {
    tuple::key(Space::Iam)
        .str("user-key")
        .str(account)
        .str(&user.to_lowercase())
        .range()
}

pub(crate) fn get_user(tx: &mut Tx, account: &str, name: &str) -> Result<Option<User>> {
    let key = user_key(account, name);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn decode_user(key: &[u8], bytes: &[u8]) -> Result<User> {
    record::decode(key, bytes)
}

pub(crate) fn put_user(tx: &mut Tx, account: &str, user: &User) {
    tx.set(user_key(account, &user.name), record::encode(user));
}

pub(crate) fn delete_user(tx: &mut Tx, account: &str, name: &str) {
    tx.clear(user_key(account, name));
}

pub(crate) fn get_access_key(tx: &mut Tx, id: &str) -> Result<Option<AccessKey>> {
    let key = access_key_key(id);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_access_key(tx: &mut Tx, key: &AccessKey) {
    tx.set(access_key_key(&key.id), record::encode(key));
    tx.set(
        user_access_key(&key.account, &key.user, &key.id),
        Vec::new(),
    );
}

pub(crate) fn delete_access_key(tx: &mut Tx, key: &AccessKey) {
    tx.clear(access_key_key(&key.id));
    tx.clear(user_access_key(&key.account, &key.user, &key.id));
}

/// The access keys of a user, ordered by id.
pub(crate) fn list_access_keys(tx: &mut Tx, account: &str, user: &str) -> Result<Vec<AccessKey>> {
    let index = tx.range(&user_access_keys(account, user), 1000)?;
    let mut keys = Vec::with_capacity(index.len());
    for (index_key, _) in index {
        let (_, _, id) = decode_user_access_key(&index_key)?;
        match get_access_key(tx, &id)? {
            Some(key) => keys.push(key),
            None => {
                return Err(unkai_store::Error::corrupt(
                    &index_key,
                    "indexed access key is missing",
                ));
            }
        }
    }
    Ok(keys)
}

/// Every access key record.
pub(crate) fn all_access_keys() -> KeyRange {
    tuple::key(Space::Iam).str("key").range()
}

/// Every user's key index.
pub(crate) fn all_user_access_keys() -> KeyRange {
    tuple::key(Space::Iam).str("user-key").range()
}

/// Reads an index key back into (account, lowercase user, access key id).
pub(crate) fn decode_user_access_key(key: &[u8]) -> Result<(String, String, String)> {
    let mut reader = tuple::Reader::new(key, Space::Iam)
        .map_err(|error| unkai_store::Error::corrupt(key, error))?;
    (|| {
        reader.str()?;
        Ok((reader.str()?, reader.str()?, reader.str()?))
    })()
    .map_err(|error: tuple::DecodeError| unkai_store::Error::corrupt(key, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_their_encoding() {
        let user = User {
            name: "Al".into(),
            id: "AIDA1".into(),
            path: "/".into(),
            created: 1,
        };
        assert_eq!(
            record::encode(&user),
            [
                1, 2, b'A', b'l', 5, b'A', b'I', b'D', b'A', b'1', 1, b'/', 1
            ]
        );
        let key = AccessKey {
            id: "AKIA1".into(),
            secret: "s".into(),
            account: "0".into(),
            user: "Al".into(),
            active: true,
            created: 2,
        };
        assert_eq!(
            record::encode(&key),
            [
                1, 5, b'A', b'K', b'I', b'A', b'1', 1, b's', 1, b'0', 2, b'A', b'l', 1, 2
            ]
        );
        assert_eq!(
            user.arn("123456789012"),
            "arn:aws:iam::123456789012:user/Al"
        );
        let session = Session {
            id: "ASIA1".into(),
            secret: "s".into(),
            token: "t".into(),
            account: "0".into(),
            role_arn: "r".into(),
            name: "f".into(),
            expires: 3,
        };
        assert_eq!(
            record::encode(&session),
            [
                1, 5, b'A', b'S', b'I', b'A', b'1', 1, b's', 1, b't', 1, b'0', 1, b'r', 1, b'f', 3
            ]
        );
    }
}
