//! IAM in unkai: users and their access keys, kept in the store, and [`Keys`], the lookup the
//! edge authenticates every request with.
//!
//! On first start the server creates the user `admin` and its first access key
//! ([`Iam::bootstrap`]); `unkai keys` and the IAM API (`aws iam create-access-key`) manage
//! more. Policies are not evaluated: every valid key may call every operation.
#![deny(missing_docs)]

mod api;
mod error;
mod keys;
mod ops;
mod store;

use std::sync::Arc;

use unkai_edge::protocol::query::{self, Params};
use unkai_edge::protocol::{self, AwsError};
use unkai_edge::{BoxFuture, Context, Request, Response, Service, ServiceId, ServiceInfo};
use unkai_store::Kv;
use unkai_types::{Caller, Clock};

pub use api::Operation;
pub use error::Error;
pub use keys::{DEV_ACCESS_KEY, Keys};
pub use ops::{AccessKeyPage, UserPage};
pub use store::{AccessKey, User};

/// The user created on first start.
pub const ADMIN: &str = "admin";

/// The IAM service.
pub struct Iam {
    kv: Kv,
    clock: Clock,
    account: String,
    keys: Arc<Keys>,
}

impl Iam {
    /// IAM for `account`, stored in `kv`.
    pub fn new(kv: Kv, clock: Clock, account: impl Into<String>) -> Self {
        Self {
            keys: Arc::new(Keys::new(kv.clone(), clock.clone())),
            kv,
            clock,
            account: account.into(),
        }
    }

    /// IAM that also accepts the development key `test`/`test` as the administrator.
    pub fn with_dev_key(kv: Kv, clock: Clock, account: impl Into<String>) -> Self {
        let account = account.into();
        let mut keys = Keys::new(kv.clone(), clock.clone());
        keys.accept_dev_key(Caller {
            arn: format!("arn:aws:iam::{account}:user/{ADMIN}"),
            account: account.clone(),
            user_id: format!("AIDA{account}"),
            access_key_id: DEV_ACCESS_KEY.into(),
        });
        Self {
            keys: Arc::new(keys),
            kv,
            clock,
            account,
        }
    }

    /// Starts a session of `role_arn` named `name`, valid for `seconds`: temporary credentials
    /// whose requests act as `arn:aws:sts::<account>:assumed-role/<role>/<name>`.
    pub async fn assume_role(
        &self,
        role_arn: &str,
        name: &str,
        seconds: u64,
    ) -> Result<unkai_types::ports::SessionKey, Error> {
        let account = role_arn
            .split(':')
            .nth(4)
            .filter(|account| account.len() == 12)
            .unwrap_or(&self.account)
            .to_owned();
        let session = store::Session {
            id: keys::new_session_key_id(),
            secret: keys::new_secret(),
            token: keys::new_session_token(),
            account,
            role_arn: role_arn.to_owned(),
            name: name.to_owned(),
            expires: self.clock.unix_seconds() + seconds,
        };
        self.kv
            .transact(|tx| {
                store::put_session(tx, &session);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(unkai_types::ports::SessionKey {
            access_key_id: session.id,
            secret_access_key: session.secret,
            session_token: session.token,
            expires: session.expires,
        })
    }

    /// The key lookup for the edge.
    pub fn keys(&self) -> Arc<Keys> {
        self.keys.clone()
    }

    /// The account IAM serves.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Creates the administrator and its first access key when no administrator exists yet;
    /// returns the new key.
    pub async fn bootstrap(&self) -> Result<Option<AccessKey>, Error> {
        match self.create_user(ADMIN, None).await {
            Ok(_) => self.create_access_key(ADMIN).await.map(Some),
            Err(Error::EntityAlreadyExists(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn dispatch(
        &self,
        operation: Operation,
        params: &Params,
        context: &Context,
    ) -> Result<Response, Error> {
        let respond = |result: Option<&dyn Fn(&mut unkai_edge::protocol::xml::Writer)>| {
            query::respond(self.info(), operation.name(), &context.request_id, result)
        };
        let caller = caller_user(&context.caller);
        let user_or_caller =
            || api::optional_user(params).map(|user| user.unwrap_or(caller.clone()));
        match operation {
            Operation::CreateUser => {
                let name = api::name(
                    api::required(params, "UserName", "userName")?,
                    "userName",
                    64,
                )?;
                let path = params
                    .get("Path")
                    .map(|p| api::path(p, "path"))
                    .transpose()?;
                let user = self.create_user(&name, path.as_deref()).await?;
                Ok(respond(Some(&|doc| {
                    api::write_user(doc, "User", &user, &self.account)
                })))
            }
            Operation::GetUser => {
                let user = self.get_user(&user_or_caller()?).await?;
                Ok(respond(Some(&|doc| {
                    api::write_user(doc, "User", &user, &self.account)
                })))
            }
            Operation::ListUsers => {
                let prefix = params.get("PathPrefix").unwrap_or("/");
                let page = self
                    .list_users(prefix, params.get("Marker"), api::max_items(params)?)
                    .await?;
                Ok(respond(Some(&|doc| {
                    api::write_page(doc, page.marker.as_deref());
                    if page.users.is_empty() {
                        doc.empty("Users");
                        return;
                    }
                    doc.open("Users");
                    for user in &page.users {
                        api::write_user(doc, "member", user, &self.account);
                    }
                    doc.close("Users");
                })))
            }
            Operation::DeleteUser => {
                let name = api::name(
                    api::required(params, "UserName", "userName")?,
                    "userName",
                    128,
                )?;
                self.delete_user(&name).await?;
                Ok(respond(None))
            }
            Operation::CreateAccessKey => {
                let key = self.create_access_key(&user_or_caller()?).await?;
                Ok(respond(Some(&|doc| {
                    doc.open("AccessKey");
                    doc.leaf("UserName", &key.user);
                    doc.leaf("AccessKeyId", &key.id);
                    doc.leaf("Status", "Active");
                    doc.leaf("SecretAccessKey", &key.secret);
                    doc.leaf("CreateDate", &unkai_types::iso8601(key.created));
                    doc.close("AccessKey");
                })))
            }
            Operation::ListAccessKeys => {
                let user = user_or_caller()?;
                let page = self
                    .list_access_keys(&user, params.get("Marker"), api::max_items(params)?)
                    .await?;
                Ok(respond(Some(&|doc| {
                    if page.keys.is_empty() {
                        doc.empty("AccessKeyMetadata");
                    } else {
                        doc.open("AccessKeyMetadata");
                        for key in &page.keys {
                            api::write_key_metadata(doc, key);
                        }
                        doc.close("AccessKeyMetadata");
                    }
                    api::write_page(doc, page.marker.as_deref());
                })))
            }
            Operation::DeleteAccessKey => {
                let id = api::access_key_id(params)?;
                self.delete_access_key(&id, &user_or_caller()?).await?;
                Ok(respond(None))
            }
            Operation::UpdateAccessKey => {
                let id = api::access_key_id(params)?;
                let active = api::status(params)?;
                self.update_access_key(&id, &user_or_caller()?, active)
                    .await?;
                Ok(respond(None))
            }
            other => {
                let error = protocol::not_implemented(self.info(), Some(other.name()));
                Ok(protocol::error_response(
                    self.info(),
                    &context.request_id,
                    &error,
                ))
            }
        }
    }
}

/// The user name in a caller's ARN (`arn:aws:iam::1:user/path/alice` → `alice`).
fn caller_user(caller: &Caller) -> String {
    caller.arn.rsplit('/').next().unwrap_or(ADMIN).to_string()
}

impl Service for Iam {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::Iam.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let params = Params::of(&request);
            let context = &request.context;
            let info = self.info();
            let action = params.action().unwrap_or_default();
            let Some(operation) = Operation::from_name(action) else {
                let error = protocol::unknown_operation(info, action);
                return protocol::error_response(info, &context.request_id, &error);
            };
            match self.dispatch(operation, &params, context).await {
                Ok(response) => response,
                Err(error) => {
                    if let Error::ServiceFailure(cause) = &error {
                        tracing::error!(%cause, operation = operation.name(), "iam request failed");
                    }
                    protocol::error_response(info, &context.request_id, &AwsError::from(&error))
                }
            }
        })
    }
}

impl unkai_types::ports::Sessions for Iam {
    fn assume_role<'a>(
        &'a self,
        role_arn: &'a str,
        session_name: &'a str,
        seconds: u64,
    ) -> unkai_types::ports::BoxFuture<'a, Result<unkai_types::ports::SessionKey, String>> {
        Box::pin(async move {
            Iam::assume_role(self, role_arn, session_name, seconds)
                .await
                .map_err(|error| error.to_string())
        })
    }
}

#[cfg(test)]
mod tests;
