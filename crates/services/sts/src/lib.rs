//! STS in unkai: `GetCallerIdentity`, the call tools make first to check their credentials.
#![deny(missing_docs)]

mod api;
mod ops;

use unkai_edge::protocol::query::{self, Params};
use unkai_edge::protocol::{self, AwsError};
use unkai_edge::{BoxFuture, Request, Response, Service, ServiceId, ServiceInfo};

pub use api::Operation;

/// The STS service.
#[derive(Debug)]
pub struct Sts {
    account: String,
}

impl Sts {
    /// STS for `account`.
    pub fn new(account: impl Into<String>) -> Self {
        Self {
            account: account.into(),
        }
    }
}

impl Service for Sts {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::Sts.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        let info = self.info();
        let params = Params::of(&request);
        let context = &request.context;
        let action = params.action().unwrap_or_default();
        let response = match Operation::from_name(action) {
            Some(Operation::GetCallerIdentity) => {
                let identity = ops::get_caller_identity(context);
                query::respond(
                    info,
                    action,
                    &context.request_id,
                    Some(&|doc| {
                        doc.leaf("Arn", &identity.arn);
                        doc.leaf("UserId", &identity.user_id);
                        doc.leaf("Account", &identity.account);
                    }),
                )
            }
            Some(Operation::GetAccessKeyInfo) => match params.get("AccessKeyId") {
                Some(_) => query::respond(
                    info,
                    action,
                    &context.request_id,
                    Some(&|doc| {
                        doc.leaf("Account", &self.account);
                    }),
                ),
                None => protocol::error_response(
                    info,
                    &context.request_id,
                    &AwsError::new(
                        http::StatusCode::BAD_REQUEST,
                        "ValidationError",
                        "1 validation error detected: Value null at 'accessKeyId' failed to \
                         satisfy constraint: Member must not be null",
                    ),
                ),
            },
            Some(other) => protocol::error_response(
                info,
                &context.request_id,
                &protocol::not_implemented(info, Some(other.name())),
            ),
            None => protocol::error_response(
                info,
                &context.request_id,
                &protocol::unknown_operation(info, action),
            ),
        };
        Box::pin(std::future::ready(response))
    }
}

#[cfg(test)]
mod tests {
    use unkai_edge::compat;

    use super::*;

    #[test]
    fn compatibility_table_is_current() {
        let table = compat::table(
            ServiceId::Sts.info(),
            Operation::ALL.iter().map(|op| (op.name(), op.support())),
        );
        compat::check_file(&unkai_testkit::repo_root(), "docs/compat/sts.md", &table);
    }
}
