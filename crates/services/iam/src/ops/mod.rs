//! One file per IAM operation.

mod check_integrity;
mod create_access_key;
mod create_user;
mod delete_access_key;
mod delete_user;
mod get_user;
mod list_access_keys;
mod list_users;
mod update_access_key;

pub use list_access_keys::AccessKeyPage;
pub use list_users::UserPage;
