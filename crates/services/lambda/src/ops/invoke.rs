//! `Invoke` and `InvokeAsync`: <https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html>,
//! <https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html>.
//! `RequestResponse` runs the function now; `Event` queues the event durably (see
//! `src/queue.rs`) and answers 202; `DryRun` checks and answers 204.

use base64::Engine as _;
use bytes::Bytes;
use http::StatusCode;
use serde_json::json;
use unkai_runtime::{Credentials, Invocation, Outcome, Refusal};

use super::{Target, invalid};
use crate::error::Error;
use crate::store::{self, Queued, Version};
use crate::{Call, Lambda, Reply, code};

/// The largest synchronous request payload (6 MB).
pub(crate) const MAX_SYNC_PAYLOAD: usize = 6 * 1024 * 1024;

/// The largest asynchronous request payload (1 MB).
const MAX_ASYNC_PAYLOAD: usize = 1024 * 1024;

/// How long a function's role session lasts; it is renewed an hour before it ends.
const SESSION_SECONDS: u64 = 12 * 3600;

impl Lambda {
    pub(crate) async fn invoke(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let invocation_type = call
            .header("x-amz-invocation-type")
            .unwrap_or("RequestResponse");
        if !matches!(invocation_type, "RequestResponse" | "Event" | "DryRun") {
            return Err(invalid(
                "invocationType",
                Some(invocation_type),
                "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
            ));
        }
        let limit = if invocation_type == "Event" {
            MAX_ASYNC_PAYLOAD
        } else {
            MAX_SYNC_PAYLOAD
        };
        let (tail, client_context) = check_request(call, limit)?;
        let payload = call.request.body.clone();
        let request_id = call.request.context.request_id.clone();
        match invocation_type {
            "Event" => {
                self.enqueue(&target, payload, &request_id).await?;
                Ok(Reply::Empty(StatusCode::ACCEPTED))
            }
            "DryRun" => {
                self.inner
                    .kv
                    .transact(|tx| self.resolve(tx, &target))
                    .await?;
                Ok(Reply::Empty(StatusCode::NO_CONTENT))
            }
            _ => {
                let version = self
                    .inner
                    .kv
                    .transact(|tx| self.resolve(tx, &target))
                    .await?;
                let outcome = self
                    .execute(
                        &target,
                        &version,
                        payload,
                        &request_id,
                        tail,
                        client_context,
                    )
                    .await?;
                let mut headers = vec![("x-amz-executed-version", version.version.clone())];
                if outcome.function_error {
                    headers.push(("x-amz-function-error", "Unhandled".into()));
                }
                if let Some(log) = outcome.log_tail {
                    headers.push((
                        "x-amz-log-result",
                        base64::engine::general_purpose::STANDARD.encode(log),
                    ));
                }
                Ok(Reply::Raw {
                    status: StatusCode::OK,
                    headers,
                    body: outcome.payload,
                })
            }
        }
    }

    pub(crate) async fn invoke_async(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let payload = call.request.body.clone();
        if payload.len() > MAX_ASYNC_PAYLOAD {
            return Err(Error::RequestTooLargeException(format!(
                "Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync \
                 operation"
            )));
        }
        check_json(&payload)?;
        self.enqueue(&target, payload, &call.request.context.request_id)
            .await?;
        Ok(Reply::Json(StatusCode::ACCEPTED, json!({ "Status": 202 })))
    }

    /// Queues an `Event` invocation; the queue runs it.
    pub(crate) async fn enqueue(
        &self,
        target: &Target,
        payload: Bytes,
        request_id: &str,
    ) -> Result<(), Error> {
        let queued = Queued {
            request_id: request_id.to_owned(),
            function: target.name.clone(),
            qualifier: target.qualifier.clone(),
            payload: payload.to_vec(),
            received_ms: self.now_ms(),
            attempts: 0,
            throttles: 0,
        };
        let inner = self.inner.clone();
        self.inner
            .kv
            .transact(|tx| {
                self.resolve(tx, target)?;
                store::enqueue(tx, queued.received_ms, &queued);
                let inner = inner.clone();
                tx.on_commit(move || inner.queued.notify_one());
                Ok::<_, Error>(())
            })
            .await
    }

    /// Runs one invocation of a resolved version.
    pub(crate) async fn execute(
        &self,
        target: &Target,
        version: &Version,
        payload: Bytes,
        request_id: &str,
        tail: bool,
        client_context: Option<String>,
    ) -> Result<Outcome, Error> {
        let (function, invocation) = self
            .prepare_invocation(target, version, payload, request_id, tail, client_context)
            .await?;
        settle(
            self.inner.runtime.invoke(&function, invocation).await,
            request_id,
            tail,
        )
    }

    /// What the runtime runs for one invocation of a resolved version.
    pub(crate) async fn prepare_invocation(
        &self,
        target: &Target,
        version: &Version,
        payload: Bytes,
        request_id: &str,
        tail: bool,
        client_context: Option<String>,
    ) -> Result<(unkai_runtime::Function, Invocation), Error> {
        let credentials = self.credentials(&version.role, &target.name).await?;
        let function = unkai_runtime::Function {
            name: target.name.clone(),
            version: version.version.clone(),
            arn: self.function_arn(&target.name),
            revision: format!("{}:{}", version.version, version.revision_id),
            runtime: version.runtime.clone(),
            handler: version.handler.clone(),
            code: code::path(&self.inner.options.code_dir, &version.code),
            memory_mb: version.memory,
            timeout: std::time::Duration::from_secs(u64::from(version.timeout)),
            environment: version.environment.clone(),
            credentials,
            ephemeral_storage_mb: version.ephemeral_storage,
        };
        let invocation = Invocation {
            request_id: request_id.to_owned(),
            payload: if payload.is_empty() {
                Bytes::from_static(b"{}")
            } else {
                payload
            },
            invoked_arn: self.target_arn(target),
            client_context,
            tail,
        };
        Ok((function, invocation))
    }

    /// The credentials a function's code runs with: a session of its execution role, named
    /// after the function, reused until an hour before it ends.
    async fn credentials(&self, role: &str, function: &str) -> Result<Credentials, Error> {
        let key = (role.to_owned(), function.to_owned());
        let now = self.inner.clock.unix_seconds();
        let cached = crate::lock(&self.inner.session_cache)
            .get(&key)
            .filter(|session| session.expires > now + 3600)
            .cloned();
        let session = match cached {
            Some(session) => session,
            None => {
                let session = self
                    .inner
                    .sessions
                    .assume_role(role, function, SESSION_SECONDS)
                    .await
                    .map_err(|error| {
                        Error::ServiceException(format!(
                            "could not issue the function's credentials: {error}"
                        ))
                    })?;
                crate::lock(&self.inner.session_cache).insert(key, session.clone());
                session
            }
        };
        Ok(Credentials {
            access_key_id: session.access_key_id,
            secret_access_key: session.secret_access_key,
            session_token: Some(session.session_token),
        })
    }
}

/// The runtime's answer as Lambda reports it: a worker that cannot start is the function's
/// error (`Runtime.InvalidEntrypoint`), a throttle is the caller's 429.
pub(crate) fn settle(
    result: Result<Outcome, Refusal>,
    request_id: &str,
    tail: bool,
) -> Result<Outcome, Error> {
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Refusal::Throttled { reason }) => Err(Error::TooManyRequestsException { reason }),
        Err(Refusal::Spawn(message)) => Ok(Outcome {
            payload: Bytes::from(
                json!({
                    "errorType": "Runtime.InvalidEntrypoint",
                    "errorMessage": format!("RequestId: {request_id} Error: {message}"),
                })
                .to_string(),
            ),
            function_error: true,
            log_tail: tail.then(String::new),
            duration: None,
            streamed: false,
        }),
    }
}

/// The checks `Invoke` and `InvokeWithResponseStream` share.
pub(crate) fn check_request(
    call: &Call<'_>,
    limit: usize,
) -> Result<(bool, Option<String>), Error> {
    let tail = match call.header("x-amz-log-type") {
        None | Some("None") => false,
        Some("Tail") => true,
        Some(other) => {
            return Err(invalid(
                "logType",
                Some(other),
                "Member must satisfy enum value set: [None, Tail]",
            ));
        }
    };
    if call.request.body.len() > limit {
        return Err(Error::RequestTooLargeException(format!(
            "Request must be smaller than {limit} bytes for the InvokeFunction operation"
        )));
    }
    check_json(&call.request.body)?;
    let client_context = match call.header("x-amz-client-context") {
        Some(encoded) => Some(decode_client_context(encoded)?),
        None => None,
    };
    Ok((tail, client_context))
}

/// Lambda takes events that are JSON.
fn check_json(payload: &[u8]) -> Result<(), Error> {
    if payload.is_empty() {
        return Ok(());
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(payload)
        .map(|_| ())
        .map_err(|error| {
            Error::InvalidRequestContentException(format!(
                "Could not parse request body into json: Could not parse payload into json: \
                 {error}"
            ))
        })
}

/// `X-Amz-Client-Context`: base64 JSON, at most 3583 bytes.
fn decode_client_context(encoded: &str) -> Result<String, Error> {
    if encoded.len() > 3583 {
        return Err(invalid(
            "clientContext",
            Some(encoded),
            "Member must have length less than or equal to 3583",
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            Error::InvalidRequestContentException(
                "Client context must be a valid Base64-encoded JSON object.".into(),
            )
        })
}
