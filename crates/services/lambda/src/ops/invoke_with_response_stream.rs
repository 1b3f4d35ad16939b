//! `InvokeWithResponseStream`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html>.
//! The response is an event stream: `PayloadChunk` events as the function writes (a function
//! that does not stream answers in one chunk), then `InvokeComplete` with the error, if any,
//! and the log tail.

use base64::Engine as _;
use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt as _;
use serde_json::{Value as Json, json};
use unkai_runtime::{Outcome, Streamed};

use super::ChannelBody;
use super::invalid;
use super::invoke::{MAX_SYNC_PAYLOAD, check_request, settle};
use crate::error::Error;
use crate::{Call, Lambda, Reply, eventstream};

/// The `InvokeComplete` document of an outcome.
fn complete(outcome: &Outcome) -> Json {
    let mut document = json!({});
    if outcome.function_error {
        let error: Json = serde_json::from_slice(&outcome.payload).unwrap_or(Json::Null);
        document["ErrorCode"] = error["errorType"].as_str().unwrap_or("Unhandled").into();
        document["ErrorDetails"] = error["errorMessage"].as_str().unwrap_or_default().into();
    }
    if let Some(log) = &outcome.log_tail {
        document["LogResult"] = base64::engine::general_purpose::STANDARD.encode(log).into();
    }
    document
}

impl Lambda {
    pub(crate) async fn invoke_with_response_stream(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let invocation_type = call
            .header("x-amz-invocation-type")
            .unwrap_or("RequestResponse");
        if !matches!(invocation_type, "RequestResponse" | "DryRun") {
            return Err(invalid(
                "invocationType",
                Some(invocation_type),
                "Member must satisfy enum value set: [RequestResponse, DryRun]",
            ));
        }
        let (tail, client_context) = check_request(call, MAX_SYNC_PAYLOAD)?;
        let version = self
            .inner
            .kv
            .transact(|tx| self.resolve(tx, &target))
            .await?;
        if invocation_type == "DryRun" {
            return Ok(Reply::Empty(StatusCode::NO_CONTENT));
        }
        let request_id = call.request.context.request_id.clone();
        let (function, invocation) = self
            .prepare_invocation(
                &target,
                &version,
                call.request.body.clone(),
                &request_id,
                tail,
                client_context,
            )
            .await?;
        let (sink, mut chunks) = tokio::sync::mpsc::channel::<Streamed>(16);
        let runtime = self.inner.runtime.clone();
        let mut running =
            tokio::spawn(
                async move { runtime.invoke_streaming(&function, invocation, sink).await },
            );
        // Errors before the stream begins (a throttle) are the caller's HTTP error.
        let first = tokio::select! {
            chunk = chunks.recv() => Ok(chunk),
            result = &mut running => Err(result),
        };
        let mut content_type = "application/octet-stream".to_owned();
        let first = match first {
            Ok(Some(Streamed::ContentType(streamed))) => {
                content_type = streamed;
                Ok(None)
            }
            Ok(Some(Streamed::Data(bytes))) => Ok(Some(bytes)),
            other => other.map(|_| None),
        };
        let (body, events) = tokio::sync::mpsc::channel::<Bytes>(16);
        match first {
            Err(result) => {
                let result = result.map_err(|error| {
                    Error::ServiceException(format!("invocation failed: {error}"))
                })?;
                let outcome = settle(result, &request_id, tail)?;
                while let Ok(chunk) = chunks.try_recv() {
                    if let Streamed::Data(chunk) = chunk {
                        let _ = body.send(eventstream::payload_chunk(&chunk)).await;
                    }
                }
                if !outcome.function_error && !outcome.streamed && !outcome.payload.is_empty() {
                    let _ = body
                        .send(eventstream::payload_chunk(&outcome.payload))
                        .await;
                }
                let _ = body
                    .send(eventstream::invoke_complete(&complete(&outcome)))
                    .await;
            }
            Ok(first) => {
                tokio::spawn(async move {
                    if let Some(chunk) = first {
                        let _ = body.send(eventstream::payload_chunk(&chunk)).await;
                    }
                    while let Some(chunk) = chunks.recv().await {
                        if let Streamed::Data(chunk) = chunk {
                            let _ = body.send(eventstream::payload_chunk(&chunk)).await;
                        }
                    }
                    let document = match running.await {
                        Ok(result) => match settle(result, &request_id, tail) {
                            Ok(outcome) => {
                                // A function that did not stream answers in one chunk.
                                if !outcome.streamed
                                    && !outcome.function_error
                                    && !outcome.payload.is_empty()
                                {
                                    let _ = body
                                        .send(eventstream::payload_chunk(&outcome.payload))
                                        .await;
                                }
                                complete(&outcome)
                            }
                            Err(error) => {
                                json!({"ErrorCode": "ServiceException", "ErrorDetails": error.to_string()})
                            }
                        },
                        Err(error) => {
                            json!({"ErrorCode": "ServiceException", "ErrorDetails": error.to_string()})
                        }
                    };
                    let _ = body.send(eventstream::invoke_complete(&document)).await;
                });
            }
        }
        Ok(Reply::Stream {
            headers: vec![
                ("x-amz-executed-version", version.version.clone()),
                ("content-type", content_type),
            ],
            body: ChannelBody(events).boxed_unsync(),
        })
    }
}
