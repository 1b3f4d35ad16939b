//! The runtime against real worker processes: a `provided` bootstrap (a Python script that
//! speaks the Runtime API with the standard library) started, reused, timed out and crashed.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use unkai_runtime::{Config, Credentials, Function, Invocation, Refusal, Runtime};
use unkai_types::Clock;
use unkai_types::ports::{BoxFuture, LogEvent, LogSink};

/// Keeps what the runtime logs, to look at.
#[derive(Default)]
struct Recorded(Mutex<Vec<(String, String, LogEvent)>>);

impl LogSink for Recorded {
    fn append<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        events: Vec<LogEvent>,
    ) -> BoxFuture<'a, Result<(), String>> {
        let mut recorded = self.0.lock().unwrap();
        for event in events {
            recorded.push((group.to_owned(), stream.to_owned(), event));
        }
        Box::pin(async { Ok(()) })
    }
}

impl Recorded {
    fn messages(&self) -> Vec<String> {
        let recorded = self.0.lock().unwrap();
        recorded
            .iter()
            .map(|(_, _, event)| event.message.clone())
            .collect()
    }
}

/// A bootstrap that answers `{"pid", "event"}`; `{"sleep": s}` sleeps, `{"exit": n}` exits,
/// `{"fail": true}` posts an error, and `INIT_FAIL` in the environment fails initialization.
const BOOTSTRAP: &str = r#"#!/usr/bin/env python3
import http.client, json, os, sys, time
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
conn = http.client.HTTPConnection(api)
if os.environ.get("INIT_FAIL"):
    conn.request("POST", "/2018-06-01/runtime/init/error",
                 json.dumps({"errorMessage": "cannot start", "errorType": "Runtime.Custom"}))
    conn.getresponse().read()
    sys.exit(1)
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    response = conn.getresponse()
    event = json.loads(response.read())
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    print("handling", request_id, flush=True)
    if "sleep" in event:
        time.sleep(event["sleep"])
    if "exit" in event:
        os._exit(event["exit"])
    if event.get("fail"):
        conn.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/error",
                     json.dumps({"errorMessage": "failed", "errorType": "Custom"}),
                     {"Lambda-Runtime-Function-Error-Type": "Custom"})
    else:
        body = {"pid": os.getpid(), "event": event,
                "deadline": response.getheader("Lambda-Runtime-Deadline-Ms"),
                "arn": response.getheader("Lambda-Runtime-Invoked-Function-Arn")}
        conn.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response",
                     json.dumps(body))
    conn.getresponse().read()
"#;

fn function(code: &Path, environment: Vec<(String, String)>) -> Function {
    Function {
        name: "echo".into(),
        version: "$LATEST".into(),
        arn: "arn:aws:lambda:us-east-1:000000000000:function:echo".into(),
        revision: "1".into(),
        runtime: "provided.al2023".into(),
        handler: "unused".into(),
        code: code.to_owned(),
        memory_mb: 128,
        timeout: Duration::from_secs(1),
        environment,
        credentials: Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: None,
        },
        ephemeral_storage_mb: 512,
    }
}

fn invocation(payload: &str, tail: bool) -> Invocation {
    Invocation {
        request_id: unkai_types::request_id(),
        payload: Bytes::from(payload.to_owned()),
        invoked_arn: "arn:aws:lambda:us-east-1:000000000000:function:echo".into(),
        client_context: None,
        tail,
    }
}

fn setup() -> (tempfile::TempDir, Runtime, Arc<Recorded>) {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    std::fs::create_dir_all(&code).unwrap();
    let bootstrap = code.join("bootstrap");
    std::fs::write(&bootstrap, BOOTSTRAP).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    let logs = Arc::new(Recorded::default());
    let runtime = Runtime::new(
        Config::new(dir.path().join("runtime"), "http://127.0.0.1:4566"),
        Clock::system(),
        logs.clone(),
    )
    .unwrap();
    (dir, runtime, logs)
}

fn json(bytes: &Bytes) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_answer_and_are_reused_warm() {
    let (dir, runtime, logs) = setup();
    let function = function(&dir.path().join("code"), vec![]);
    let first = runtime
        .invoke(&function, invocation(r#"{"n":1}"#, true))
        .await
        .unwrap();
    assert!(!first.function_error);
    let first_body = json(&first.payload);
    assert_eq!(first_body["event"]["n"], 1);
    assert_eq!(first_body["arn"], function.arn.as_str());
    let tail = first.log_tail.unwrap();
    assert!(tail.starts_with("START RequestId: "), "{tail}");
    assert!(tail.contains("handling"), "{tail}");
    assert!(tail.contains("\nEND RequestId: "), "{tail}");
    assert!(tail.contains("Init Duration: "), "{tail}");

    let second = runtime
        .invoke(&function, invocation(r#"{"n":2}"#, true))
        .await
        .unwrap();
    let second_body = json(&second.payload);
    assert_eq!(
        second_body["pid"], first_body["pid"],
        "a warm instance is reused"
    );
    assert!(!second.log_tail.unwrap().contains("Init Duration"));
    assert_eq!(runtime.idle_instances(), 1);

    let failed = runtime
        .invoke(&function, invocation(r#"{"fail":true}"#, false))
        .await
        .unwrap();
    assert!(failed.function_error);
    assert_eq!(json(&failed.payload)["errorType"], "Custom");

    // The log stream got every line, in order.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let messages = logs.messages();
    let starts = messages.iter().filter(|m| m.starts_with("START ")).count();
    let reports = messages.iter().filter(|m| m.starts_with("REPORT ")).count();
    assert_eq!((starts, reports), (3, 3), "{messages:#?}");

    let metrics = runtime.metrics();
    for line in [
        "unkai_function_invocations_total{function=\"echo\"} 3",
        "unkai_function_errors_total{function=\"echo\"} 1",
        "unkai_function_throttles_total{function=\"echo\"} 0",
        "unkai_function_duration_seconds_count{function=\"echo\"} 3",
        "unkai_function_warm_instances{function=\"echo\"} 1",
        "# TYPE unkai_function_concurrent_executions gauge",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_and_crashes_end_the_instance() {
    let (dir, runtime, _logs) = setup();
    let function = function(&dir.path().join("code"), vec![]);
    let timed_out = runtime
        .invoke(&function, invocation(r#"{"sleep":5}"#, true))
        .await
        .unwrap();
    assert!(timed_out.function_error);
    let body = json(&timed_out.payload);
    assert_eq!(body["errorType"], "Sandbox.Timedout");
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Error: Task timed out after 1.00 seconds"),
        "{body}"
    );
    assert!(
        timed_out
            .log_tail
            .unwrap()
            .contains("Task timed out after 1.00 seconds")
    );
    assert_eq!(runtime.idle_instances(), 0);

    let crashed = runtime
        .invoke(&function, invocation(r#"{"exit":3}"#, false))
        .await
        .unwrap();
    let body = json(&crashed.payload);
    assert_eq!(body["errorType"], "Runtime.ExitError");
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Error: Runtime exited with error: exit status 3"),
        "{body}"
    );
    // The next invocation gets a fresh instance.
    let fine = runtime
        .invoke(&function, invocation("{}", false))
        .await
        .unwrap();
    assert!(!fine.function_error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_errors_and_throttles() {
    let (dir, runtime, _logs) = setup();
    let broken = function(
        &dir.path().join("code"),
        vec![("INIT_FAIL".into(), "1".into())],
    );
    let outcome = runtime
        .invoke(&broken, invocation("{}", false))
        .await
        .unwrap();
    assert!(outcome.function_error);
    assert_eq!(json(&outcome.payload)["errorType"], "Runtime.Custom");

    let function = function(&dir.path().join("code"), vec![]);
    runtime.set_reserved("echo", Some(0));
    assert_eq!(
        runtime.invoke(&function, invocation("{}", false)).await,
        Err(Refusal::Throttled {
            reason: "ReservedFunctionConcurrentInvocationLimitExceeded"
        })
    );
    assert_eq!(runtime.unreserved_concurrency(), 1000);
    runtime.set_reserved("echo", Some(1));
    assert_eq!(runtime.unreserved_concurrency(), 999);
    let (slow, fast) = tokio::join!(
        runtime.invoke(&function, invocation(r#"{"sleep":0.5}"#, false)),
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            runtime.invoke(&function, invocation("{}", false)).await
        }
    );
    assert!(!slow.unwrap().function_error);
    assert!(matches!(fast, Err(Refusal::Throttled { .. })));
    assert!(
        runtime
            .metrics()
            .contains("unkai_function_throttles_total{function=\"echo\"} 2")
    );
    runtime.set_reserved("echo", None);
    assert!(
        !runtime
            .invoke(&function, invocation("{}", false))
            .await
            .unwrap()
            .function_error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_instances_follow_the_scaling_rate() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    std::fs::create_dir_all(&code).unwrap();
    let bootstrap = code.join("bootstrap");
    std::fs::write(&bootstrap, BOOTSTRAP).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = Config::new(dir.path().join("runtime"), "http://127.0.0.1:4566");
    config.scale_burst = 1;
    config.scale_per_second = 0.001;
    let runtime = Runtime::new(config, Clock::system(), Arc::new(Recorded::default())).unwrap();
    let function = function(&code, vec![]);
    // The first instance uses the one token; while it is busy a second would be new: refused.
    let (busy, second) = tokio::join!(
        runtime.invoke(&function, invocation(r#"{"sleep":0.5}"#, false)),
        async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            runtime.invoke(&function, invocation("{}", false)).await
        }
    );
    assert!(!busy.unwrap().function_error);
    assert_eq!(
        second,
        Err(Refusal::Throttled {
            reason: "ConcurrentInvocationLimitExceeded"
        })
    );
    // The warm instance needs no token.
    assert!(
        !runtime
            .invoke(&function, invocation("{}", false))
            .await
            .unwrap()
            .function_error
    );
}
