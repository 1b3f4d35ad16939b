//! Lambda as the [`Invoke`] port: how API Gateway and the event sources run functions.

use bytes::Bytes;
use unkai_types::ports::{BoxFuture, Invoke, InvokeFailure, Invoked};

use crate::Lambda;
use crate::error::Error;

/// The largest event a synchronous invocation takes.
const MAX_PAYLOAD: usize = 6 * 1024 * 1024;

impl Invoke for Lambda {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
    ) -> BoxFuture<'a, Result<Invoked, InvokeFailure>> {
        Box::pin(async move {
            if payload.len() > MAX_PAYLOAD {
                return Err(InvokeFailure::TooLarge(format!(
                    "Request must be smaller than {MAX_PAYLOAD} bytes for the InvokeFunction \
                     operation"
                )));
            }
            let failed = |error: Error| match error {
                Error::ResourceNotFoundException(message) => InvokeFailure::NotFound(message),
                Error::TooManyRequestsException { .. } => InvokeFailure::Throttled,
                other => InvokeFailure::Failed(other.to_string()),
            };
            let target = self.target(function, None).map_err(failed)?;
            let version = self
                .inner
                .kv
                .transact(|tx| self.resolve(tx, &target))
                .await
                .map_err(failed)?;
            let request_id = unkai_types::request_id();
            let outcome = self
                .execute(
                    &target,
                    &version,
                    Bytes::from(payload),
                    &request_id,
                    false,
                    None,
                )
                .await
                .map_err(failed)?;
            Ok(Invoked {
                payload: outcome.payload.to_vec(),
                function_error: outcome.function_error.then(|| "Unhandled".to_owned()),
                executed_version: version.version,
            })
        })
    }
}
