#![allow(clippy::unwrap_used)]

use std::time::{Duration, UNIX_EPOCH};

use serde_json::json;
use unkai_edge::compat;
use unkai_store_embedded::{Embedded, Options};
use unkai_types::ManualClock;
use unkai_types::ports::{LogEvent, LogSink};

use super::*;

const SCOPE: Scope<'static> = Scope {
    account: "123456789012",
    region: "us-east-1",
};
/// 2025-06-15T14:13:20Z, in milliseconds.
const NOW: i64 = 1_750_000_000_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

struct Fixture {
    logs: Logs,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(Options::new(dir.path())).unwrap());
    let (clock, manual) = Clock::manual(UNIX_EPOCH + Duration::from_millis(NOW as u64));
    Fixture {
        logs: Logs::new(kv, clock, SCOPE.account, SCOPE.region),
        clock: manual,
        _dir: dir,
    }
}

impl Fixture {
    async fn call(&self, operation: &str, body: Json) -> Result<Json, Error> {
        let operation = Operation::from_name(operation).unwrap();
        self.logs
            .dispatch(operation, SCOPE, body.to_string().as_bytes())
            .await
    }

    async fn ok(&self, operation: &str, body: Json) -> Json {
        match self.call(operation, body).await {
            Ok(output) => output,
            Err(error) => panic!("{operation} failed: {error}"),
        }
    }

    async fn err(&self, operation: &str, body: Json) -> (&'static str, String) {
        use unkai_edge::protocol::ServiceError;
        let error = self.call(operation, body).await.unwrap_err();
        assert_eq!(error.status(), http::StatusCode::BAD_REQUEST, "{error}");
        (error.code(), error.to_string())
    }

    async fn put(&self, group: &str, stream: &str, events: &[(i64, &str)]) -> Json {
        let events: Vec<Json> = events
            .iter()
            .map(|(timestamp, message)| json!({"timestamp": timestamp, "message": message}))
            .collect();
        self.ok(
            "PutLogEvents",
            json!({"logGroupName": group, "logStreamName": stream, "logEvents": events}),
        )
        .await
    }

    async fn group_with_stream(&self, group: &str, stream: &str) {
        self.ok("CreateLogGroup", json!({"logGroupName": group}))
            .await;
        self.ok(
            "CreateLogStream",
            json!({"logGroupName": group, "logStreamName": stream}),
        )
        .await;
    }
}

fn messages(output: &Json) -> Vec<String> {
    output["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn compatibility_table_is_current() {
    let table = compat::table(
        ServiceId::Logs.info(),
        Operation::ALL.iter().map(|op| (op.name(), op.support())),
    );
    compat::check_file(&unkai_testkit::repo_root(), "docs/compat/logs.md", &table);
}

#[tokio::test(flavor = "multi_thread")]
async fn log_groups_follow_aws_rules() {
    let f = fixture();
    for name in ["b", "a/1", "a/2", "a/3", "c"] {
        f.ok("CreateLogGroup", json!({"logGroupName": name})).await;
    }
    assert_eq!(
        f.err("CreateLogGroup", json!({"logGroupName": "a/1"}))
            .await,
        (
            "ResourceAlreadyExistsException",
            "The specified log group already exists".into()
        )
    );
    assert_eq!(
        f.err("CreateLogGroup", json!({"logGroupName": "bad:name"}))
            .await,
        (
            "InvalidParameterException",
            r"1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+".into()
        )
    );
    assert_eq!(
        f.err("CreateLogGroup", json!({"logGroupName": "aws/x"}))
            .await
            .1,
        "Log groups starting with AWS/ are reserved for AWS."
    );
    let (code, message) = f.err("CreateLogGroup", json!({})).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.contains("Value null at 'logGroupName'"),
        "{message}"
    );

    // Pages of two, with a prefix.
    let first = f
        .ok(
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "a/", "limit": 2}),
        )
        .await;
    let names: Vec<&str> = first["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["logGroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a/1", "a/2"]);
    let group = &first["logGroups"][0];
    assert_eq!(
        group["arn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:a/1:*"
    );
    assert_eq!(
        group["logGroupArn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:a/1"
    );
    assert_eq!(group["creationTime"], NOW);
    assert_eq!(group["logGroupClass"], "STANDARD");
    assert_eq!(group["storedBytes"], 0);
    assert!(group.get("retentionInDays").is_none());
    let token = first["nextToken"].as_str().unwrap();
    let rest = f
        .ok(
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "a/", "limit": 2, "nextToken": token}),
        )
        .await;
    assert_eq!(rest["logGroups"][0]["logGroupName"], "a/3");
    assert!(rest.get("nextToken").is_none());
    let all = f.ok("DescribeLogGroups", json!({})).await;
    assert_eq!(all["logGroups"].as_array().unwrap().len(), 5);
    let pattern = f
        .ok("DescribeLogGroups", json!({"logGroupNamePattern": "/2"}))
        .await;
    assert_eq!(pattern["logGroups"][0]["logGroupName"], "a/2");
    assert_eq!(
        f.err("DescribeLogGroups", json!({"limit": 51})).await.1,
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"
    );
    assert_eq!(
        f.err("DescribeLogGroups", json!({"nextToken": "nope"}))
            .await
            .1,
        "The specified nextToken is invalid."
    );

    // Retention.
    f.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "b", "retentionInDays": 7}),
    )
    .await;
    let b = f
        .ok("DescribeLogGroups", json!({"logGroupNamePrefix": "b"}))
        .await;
    assert_eq!(b["logGroups"][0]["retentionInDays"], 7);
    let (code, message) = f
        .err(
            "PutRetentionPolicy",
            json!({"logGroupName": "b", "retentionInDays": 2}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.contains("Member must satisfy enum value set: [1, 3, 5, 7, 14"),
        "{message}"
    );
    f.ok("DeleteRetentionPolicy", json!({"logGroupName": "b"}))
        .await;
    let b = f
        .ok("DescribeLogGroups", json!({"logGroupNamePrefix": "b"}))
        .await;
    assert!(b["logGroups"][0].get("retentionInDays").is_none());
    assert_eq!(
        f.err(
            "PutRetentionPolicy",
            json!({"logGroupName": "nope", "retentionInDays": 1})
        )
        .await,
        (
            "ResourceNotFoundException",
            "The specified log group does not exist.".into()
        )
    );

    // Deleting a group deletes its streams and events.
    f.ok(
        "CreateLogStream",
        json!({"logGroupName": "c", "logStreamName": "s"}),
    )
    .await;
    f.put("c", "s", &[(NOW, "gone")]).await;
    f.ok("DeleteLogGroup", json!({"logGroupName": "c"})).await;
    assert_eq!(
        f.err("DeleteLogGroup", json!({"logGroupName": "c"}))
            .await
            .1,
        "The specified log group does not exist."
    );
    f.group_with_stream("c", "s").await;
    let events = f
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "c", "logStreamName": "s"}),
        )
        .await;
    assert!(messages(&events).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn log_streams_list_by_name_or_last_event() {
    let f = fixture();
    f.ok("CreateLogGroup", json!({"logGroupName": "g"})).await;
    assert_eq!(
        f.err(
            "CreateLogStream",
            json!({"logGroupName": "nope", "logStreamName": "s"})
        )
        .await
        .1,
        "The specified log group does not exist."
    );
    for (name, at) in [("s1", 3), ("s2", 1), ("s3", 2), ("t", 0)] {
        f.ok(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": name}),
        )
        .await;
        if at > 0 {
            f.put("g", name, &[(NOW - 10 * HOUR + at * HOUR, "x")])
                .await;
        }
    }
    assert_eq!(
        f.err(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "s1"})
        )
        .await,
        (
            "ResourceAlreadyExistsException",
            "The specified log stream already exists".into()
        )
    );
    assert!(
        f.err(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "a:b"})
        )
        .await
        .1
        .ends_with("Member must satisfy regular expression pattern: [^:*]*")
    );
    let names = |output: &Json| -> Vec<String> {
        output["logStreams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["logStreamName"].as_str().unwrap().to_string())
            .collect()
    };
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"logGroupName": "g", "descending": true, "limit": 1, "logStreamNamePrefix": "s"});
        if let Some(token) = &token {
            body["nextToken"] = token.clone().into();
        }
        let page = f.ok("DescribeLogStreams", body).await;
        seen.extend(names(&page));
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["s3", "s2", "s1"]);
    let by_time = f
        .ok(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "descending": true}),
        )
        .await;
    assert_eq!(names(&by_time), ["s1", "s3", "s2", "t"]);
    let page = f
        .ok(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "limit": 2}),
        )
        .await;
    assert_eq!(names(&page), ["t", "s2"]);
    let page = f
        .ok(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "nextToken": page["nextToken"]}),
        )
        .await;
    assert_eq!(names(&page), ["s3", "s1"]);
    let s1 = &by_time["logStreams"][0];
    assert_eq!(s1["firstEventTimestamp"], NOW - 7 * HOUR);
    assert_eq!(s1["lastEventTimestamp"], NOW - 7 * HOUR);
    assert_eq!(s1["lastIngestionTime"], NOW);
    assert_eq!(s1["storedBytes"], 0);
    assert_eq!(
        s1["arn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s1"
    );
    assert_eq!(s1["uploadSequenceToken"].as_str().unwrap().len(), 56);
    assert!(
        by_time["logStreams"][3]
            .get("uploadSequenceToken")
            .is_none()
    );
    assert_eq!(
        f.err(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "s"})
        )
        .await
        .1,
        "Cannot order by LastEventTime with a logStreamNamePrefix."
    );
    let by_arn = f
        .ok(
            "DescribeLogStreams",
            json!({"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:g"}),
        )
        .await;
    assert_eq!(names(&by_arn), ["s1", "s2", "s3", "t"]);
    // The group's stored bytes add up its streams'.
    let group = f.ok("DescribeLogGroups", json!({})).await;
    assert_eq!(group["logGroups"][0]["storedBytes"], 3);
    f.ok(
        "DeleteLogStream",
        json!({"logGroupName": "g", "logStreamName": "s1"}),
    )
    .await;
    assert_eq!(
        f.err(
            "DeleteLogStream",
            json!({"logGroupName": "g", "logStreamName": "s1"})
        )
        .await,
        (
            "ResourceNotFoundException",
            "The specified log stream does not exist.".into()
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn put_log_events_checks_batches_and_rejects_old_and_new_events() {
    let f = fixture();
    f.group_with_stream("g", "s").await;
    assert_eq!(
        f.err(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": NOW, "message": "b"}, {"timestamp": NOW - 1, "message": "a"}]})
        )
        .await
        .1,
        "Log events in a single PutLogEvents request must be in chronological order."
    );
    assert_eq!(
        f.err(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": NOW - DAY - 1, "message": "a"}, {"timestamp": NOW, "message": "b"}]})
        )
        .await
        .1,
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
    );
    let big = "x".repeat(600_000);
    assert_eq!(
        f.err(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": NOW, "message": big}, {"timestamp": NOW, "message": big}]})
        )
        .await
        .1,
        "Upload too large: 1200052 bytes exceeds limit of 1048576"
    );
    assert_eq!(
        f.err(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": NOW, "message": ""}]})
        )
        .await
        .1,
        "1 validation error detected: Value at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        f.err(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope", "logEvents": [
                {"timestamp": NOW, "message": "m"}]})
        )
        .await
        .1,
        "The specified log stream does not exist."
    );
    let output = f.put("g", "s", &[(NOW - 15 * DAY + HOUR, "old")]).await;
    assert_eq!(
        output["rejectedLogEventsInfo"],
        json!({"tooOldLogEventEndIndex": 1})
    );
    f.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "g", "retentionInDays": 1}),
    )
    .await;
    // A batch may not span more than 24 hours, so the expired and the too new events come in
    // two batches.
    let output = f
        .put(
            "g",
            "s",
            &[(NOW - DAY - HOUR, "expired"), (NOW - 20 * HOUR, "kept")],
        )
        .await;
    assert_eq!(
        output["rejectedLogEventsInfo"],
        json!({"expiredLogEventEndIndex": 1})
    );
    let output = f
        .put(
            "g",
            "s",
            &[(NOW - 20 * HOUR, "kept too"), (NOW + 3 * HOUR, "new")],
        )
        .await;
    assert_eq!(
        output["rejectedLogEventsInfo"],
        json!({"tooNewLogEventStartIndex": 1})
    );
    assert_eq!(output["nextSequenceToken"].as_str().unwrap().len(), 56);
    // Sequence tokens are ignored.
    f.ok(
        "PutLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "sequenceToken": "bogus", "logEvents": [
            {"timestamp": NOW, "message": "latest"}]}),
    )
    .await;
    let events = f
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        )
        .await;
    assert_eq!(messages(&events), ["kept", "kept too", "latest"]);
    // A day later, "kept" is past the retention period.
    f.clock.advance(Duration::from_millis(5 * HOUR as u64));
    let events = f
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        )
        .await;
    assert_eq!(messages(&events), ["latest"]);
    let filtered = f.ok("FilterLogEvents", json!({"logGroupName": "g"})).await;
    assert_eq!(messages(&filtered), ["latest"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn get_log_events_pages_both_ways_with_aws_tokens() {
    let f = fixture();
    f.group_with_stream("g", "s").await;
    // Events out of order across batches, and several at the same millisecond.
    f.put("g", "s", &[(NOW - 10, "e10"), (NOW - 10, "e10b")])
        .await;
    f.put("g", "s", &[(NOW - 30, "e30"), (NOW - 20, "e20")])
        .await;
    f.put("g", "s", &[(NOW - 5, "e5")]).await;
    let all = ["e30", "e20", "e10", "e10b", "e5"];
    let body = |extra: Json| {
        let mut body = json!({"logGroupName": "g", "logStreamName": "s"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let everything = f.ok("GetLogEvents", body(json!({}))).await;
    assert_eq!(messages(&everything), all);
    assert_eq!(everything["events"][0]["ingestionTime"], NOW);
    // Forward, two at a time, until the same token comes back.
    let mut seen = Vec::new();
    let mut page = f
        .ok(
            "GetLogEvents",
            body(json!({"startFromHead": true, "limit": 2})),
        )
        .await;
    loop {
        seen.extend(messages(&page));
        let token = page["nextForwardToken"].as_str().unwrap().to_string();
        assert!(token.starts_with("f/") && token.ends_with("/s"), "{token}");
        let next = f
            .ok(
                "GetLogEvents",
                body(json!({"nextToken": token, "limit": 2})),
            )
            .await;
        if next["nextForwardToken"] == token {
            assert!(messages(&next).is_empty());
            break;
        }
        page = next;
    }
    assert_eq!(seen, all);
    // Backward from the newest, two at a time.
    let mut seen = Vec::new();
    let mut page = f.ok("GetLogEvents", body(json!({"limit": 2}))).await;
    loop {
        let mut batch = messages(&page);
        batch.extend(seen);
        seen = batch;
        let token = page["nextBackwardToken"].as_str().unwrap().to_string();
        assert!(token.starts_with("b/"), "{token}");
        let next = f
            .ok(
                "GetLogEvents",
                body(json!({"nextToken": token, "limit": 2})),
            )
            .await;
        if next["nextBackwardToken"] == token {
            break;
        }
        page = next;
    }
    assert_eq!(seen, all);
    // Time ranges: startTime inclusive, endTime exclusive.
    let range = f
        .ok(
            "GetLogEvents",
            body(json!({"startTime": NOW - 20, "endTime": NOW - 5, "startFromHead": true})),
        )
        .await;
    assert_eq!(messages(&range), ["e20", "e10", "e10b"]);
    // New events show up behind a forward token taken at the end.
    let end = f
        .ok("GetLogEvents", body(json!({"startFromHead": true})))
        .await["nextForwardToken"]
        .clone();
    f.put("g", "s", &[(NOW - 1, "later")]).await;
    let more = f.ok("GetLogEvents", body(json!({"nextToken": end}))).await;
    assert_eq!(messages(&more), ["later"]);
    assert_eq!(
        f.err("GetLogEvents", body(json!({"nextToken": "x/1"})))
            .await,
        (
            "InvalidParameterException",
            "The specified nextToken is invalid.".into()
        )
    );
    assert_eq!(
        f.err(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope"})
        )
        .await
        .1,
        "The specified log stream does not exist."
    );
    assert_eq!(
        f.err(
            "GetLogEvents",
            json!({"logGroupName": "nope", "logStreamName": "s"})
        )
        .await
        .1,
        "The specified log group does not exist."
    );
    assert_eq!(
        f.err(
            "GetLogEvents",
            json!({"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:g:*", "logStreamName": "s"})
        )
        .await
        .1,
        r"1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w#+=/:,.@-]*"
    );
    assert_eq!(
        f.err("GetLogEvents", body(json!({"limit": 10001}))).await.1,
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_log_events_interleaves_streams_and_pages() {
    let f = fixture();
    f.ok("CreateLogGroup", json!({"logGroupName": "g"})).await;
    for stream in ["app-1", "app-2", "web"] {
        f.ok(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": stream}),
        )
        .await;
    }
    f.put(
        "g",
        "app-1",
        &[
            (NOW - 50, "ERROR a1"),
            (NOW - 30, "INFO a1"),
            (NOW - 10, "ERROR late"),
        ],
    )
    .await;
    f.put(
        "g",
        "app-2",
        &[(NOW - 40, "ERROR a2"), (NOW - 30, "WARN a2")],
    )
    .await;
    f.put(
        "g",
        "web",
        &[
            (NOW - 45, r#"{"status": 500, "path": "/x"}"#),
            (NOW - 20, r#"{"status": 200}"#),
        ],
    )
    .await;
    let all = f.ok("FilterLogEvents", json!({"logGroupName": "g"})).await;
    assert_eq!(
        messages(&all),
        [
            "ERROR a1",
            r#"{"status": 500, "path": "/x"}"#,
            "ERROR a2",
            "INFO a1",
            "WARN a2",
            r#"{"status": 200}"#,
            "ERROR late"
        ]
    );
    assert_eq!(all["searchedLogStreams"], json!([]));
    assert_eq!(all["events"][0]["logStreamName"], "app-1");
    assert_eq!(all["events"][0]["eventId"].as_str().unwrap().len(), 56);
    assert!(all.get("nextToken").is_none());
    let errors = f
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "ERROR"}),
        )
        .await;
    assert_eq!(messages(&errors), ["ERROR a1", "ERROR a2", "ERROR late"]);
    let either = f
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "?WARN ?INFO", "logStreamNamePrefix": "app"}),
        )
        .await;
    assert_eq!(messages(&either), ["INFO a1", "WARN a2"]);
    let named = f
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "logStreamNames": ["app-2", "missing"], "startTime": NOW - 35, "endTime": NOW - 30}),
        )
        .await;
    assert_eq!(messages(&named), ["WARN a2"]);
    let json_events = f
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "{ $.status >= 500 }"}),
        )
        .await;
    assert_eq!(json_events["events"].as_array().unwrap().len(), 1);
    // One at a time, forward and backward.
    for (head, expected) in [
        (true, messages(&all)),
        (false, messages(&all).into_iter().rev().collect()),
    ] {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"logGroupName": "g", "limit": 1, "startFromHead": head, "startTime": NOW - DAY});
            if let Some(token) = &token {
                body["nextToken"] = token.clone().into();
            }
            let page = f.ok("FilterLogEvents", body).await;
            seen.extend(messages(&page));
            match page["nextToken"].as_str() {
                Some(next) => token = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, expected);
    }
    assert_eq!(
        f.err(
            "FilterLogEvents",
            json!({"logGroupName": "g", "logStreamNames": ["a"], "logStreamNamePrefix": "a"})
        )
        .await
        .0,
        "InvalidParameterException"
    );
    assert_eq!(
        f.err(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "\"open"})
        )
        .await
        .0,
        "InvalidParameterException"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_on_log_groups() {
    let f = fixture();
    f.ok(
        "CreateLogGroup",
        json!({"logGroupName": "g", "tags": {"team": "a"}}),
    )
    .await;
    let arn = "arn:aws:logs:us-east-1:123456789012:log-group:g";
    f.ok(
        "TagResource",
        json!({"resourceArn": arn, "tags": {"env": "dev"}}),
    )
    .await;
    f.ok(
        "TagLogGroup",
        json!({"logGroupName": "g", "tags": {"x": "1"}}),
    )
    .await;
    let tags = f
        .ok("ListTagsForResource", json!({"resourceArn": arn}))
        .await;
    assert_eq!(tags, json!({"tags": {"env": "dev", "team": "a", "x": "1"}}));
    f.ok(
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": ["team"]}),
    )
    .await;
    f.ok("UntagLogGroup", json!({"logGroupName": "g", "tags": ["x"]}))
        .await;
    let tags = f.ok("ListTagsLogGroup", json!({"logGroupName": "g"})).await;
    assert_eq!(tags, json!({"tags": {"env": "dev"}}));
    assert_eq!(
        f.err(
            "ListTagsForResource",
            json!({"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:nope"})
        )
        .await,
        (
            "ResourceNotFoundException",
            "The specified log group does not exist.".into()
        )
    );
    assert_eq!(
        f.err(
            "TagLogGroup",
            json!({"logGroupName": "nope", "tags": {"a": "b"}})
        )
        .await
        .0,
        "ResourceNotFoundException"
    );
    let many: serde_json::Map<String, Json> =
        (0..50).map(|n| (format!("k{n}"), json!("v"))).collect();
    assert_eq!(
        f.err("TagResource", json!({"resourceArn": arn, "tags": many}))
            .await
            .0,
        "TooManyTagsException"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sink_creates_groups_and_appends_concurrently() {
    let f = fixture();
    let logs = f.logs.clone();
    let mut tasks = Vec::new();
    for n in 0..8 {
        let logs = logs.clone();
        tasks.push(tokio::spawn(async move {
            for batch in 0..3 {
                let events = (0..2000)
                    .map(|i| LogEvent {
                        timestamp: NOW + i,
                        message: format!("stream {n} batch {batch} line {i}"),
                    })
                    .collect();
                LogSink::append(
                    &logs,
                    "/aws/lambda/fn",
                    &format!("2025/06/15/[$LATEST]{n}"),
                    events,
                )
                .await
                .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let streams = f
        .ok(
            "DescribeLogStreams",
            json!({"logGroupName": "/aws/lambda/fn"}),
        )
        .await;
    assert_eq!(streams["logStreams"].as_array().unwrap().len(), 8);
    let events = f
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "2025/06/15/[$LATEST]3", "startFromHead": true}),
        )
        .await;
    let got = messages(&events);
    assert_eq!(got.len(), 6000);
    // Ordered by timestamp, then by ingestion order.
    assert_eq!(got[0], "stream 3 batch 0 line 0");
    assert_eq!(got[1], "stream 3 batch 1 line 0");
    assert_eq!(got[5999], "stream 3 batch 2 line 1999");
    // A missing group and stream are created even without events; bad names are refused.
    LogSink::append(&logs, "other", "s", Vec::new())
        .await
        .unwrap();
    let groups = f
        .ok("DescribeLogGroups", json!({"logGroupNamePrefix": "other"}))
        .await;
    assert_eq!(groups["logGroups"].as_array().unwrap().len(), 1);
    assert!(
        LogSink::append(&logs, "bad:group", "s", Vec::new())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unimplemented_and_unknown_operations_answer_in_protocol() {
    use http_body_util::BodyExt as _;
    let f = fixture();
    let request = |target: &str| {
        let (parts, ()) = http::Request::builder()
            .method("POST")
            .uri("/")
            .header("x-amz-target", target)
            .body(())
            .unwrap()
            .into_parts();
        Request {
            context: unkai_edge::Context {
                request_id: "req-1".into(),
                caller: unkai_types::Caller {
                    account: SCOPE.account.into(),
                    arn: "arn:aws:iam::123456789012:user/admin".into(),
                    user_id: "AIDA".into(),
                    access_key_id: "AKIA".into(),
                },
                region: SCOPE.region.into(),
                received: std::time::SystemTime::now(),
            },
            parts,
            body: Default::default(),
        }
    };
    let response = f.logs.call(request("Logs_20140328.StartQuery")).await;
    assert_eq!(response.status(), 501);
    let response = f.logs.call(request("Logs_20140328.Nope")).await;
    assert_eq!(response.status(), 400);
    let response = f
        .logs
        .call(request("Logs_20140328.DescribeLogGroups"))
        .await;
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], br#"{"logGroups":[]}"#);
    let response = f.logs.call(request("Logs_20140328.CreateLogGroup")).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "InvalidParameterException"
    );
}
