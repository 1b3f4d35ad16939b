//! The test function as a custom-runtime (`provided.al2023`) binary named `bootstrap`: the same
//! behaviour as tests/functions/python/app.py for the actions `echo` (the default), `error` and
//! `sleep`, selected by the event's `"action"` field.

use std::time::{Duration, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(handler)).await
}

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    let (payload, context) = event.into_parts();
    match payload
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or("echo")
    {
        "echo" => {
            let remaining = context
                .deadline()
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            Ok(json!({
                "echo": payload,
                "sum": sum(payload.get("numbers")),
                "function_name": context.env_config.function_name,
                "memory_limit_in_mb": std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                    .ok()
                    .and_then(|memory| memory.parse::<i64>().ok()),
                "has_request_id": !context.request_id.is_empty(),
                "remaining_positive": remaining > Duration::ZERO,
            }))
        }
        // lambda_runtime posts the Diagnostic as {"errorType", "errorMessage"}: the type is ours.
        "error" => Err(Diagnostic {
            error_type: "BoomError".into(),
            error_message: "boom".into(),
        }),
        "sleep" => {
            let seconds = payload
                .get("seconds")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            tokio::time::sleep(Duration::from_secs_f64(seconds.max(0.0))).await;
            Ok(json!({"slept": seconds}))
        }
        other => Err(Diagnostic {
            error_type: "UnknownAction".into(),
            error_message: format!("unknown action {other:?}"),
        }),
    }
}

/// Python's `sum(event.get("numbers", []))`: an integer while every number is one.
fn sum(numbers: Option<&Value>) -> Value {
    let numbers = numbers
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if let Some(total) = numbers.iter().map(Value::as_i64).sum::<Option<i64>>() {
        json!(total)
    } else {
        json!(numbers.iter().filter_map(Value::as_f64).sum::<f64>())
    }
}
