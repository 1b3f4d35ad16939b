//! The `Event` invocation queue: invocations wait in the store, keyed by when they are due,
//! and run here. A function error is retried twice (by default about 1 and 2 minutes later,
//! `MaximumRetryAttempts` of the event invoke configuration); throttles and system errors are
//! retried with backoff until the event is older than `MaximumEventAgeInSeconds` (6 h by
//! default). Then the event goes to the `OnFailure` destination; a success to `OnSuccess`.
//! A node claims an entry before running it (one transaction moves it from the queue to
//! `inflight` with a lease), so two nodes never run it at once; settling it and queuing its
//! destination's event is one transaction. A runner that dies leaves its claim behind: the
//! lease's end (or, with the embedded store, the next start) puts it back in the queue. So an
//! invocation runs at least once, as on Lambda, and none is lost.
//!
//! Deviation: destinations are Lambda functions for now; other ARNs are logged and dropped.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value as Json, json};

use crate::error::Error;
use crate::ops::Target;
use crate::store::{self, LATEST, Queued};
use crate::{Lambda, lock};

/// How many queued invocations run at once on this node.
const PARALLEL: usize = 64;

/// How often the queue looks for due invocations when nothing wakes it.
const POLL: Duration = Duration::from_millis(500);

/// How long a claim lasts: the longest a function may run, and a margin.
const LEASE: Duration = Duration::from_secs(16 * 60);

/// Puts back claims whose lease ended (`all`: every claim, when no other node can hold one).
pub(crate) async fn reclaim(lambda: &Lambda, all: bool) -> Result<usize, Error> {
    let now = lambda.now_ms();
    lambda
        .inner
        .kv
        .transact(|tx| {
            let mut returned = 0;
            for (key, value) in tx.range(&store::claimed(), 1000)? {
                let claimed = store::decode_claimed(&key, &value)?;
                if all || claimed.lease_until_ms < now {
                    tx.clear(key);
                    store::enqueue(tx, now, &claimed.queued);
                    returned += 1;
                }
            }
            Ok::<_, Error>(returned)
        })
        .await
}

pub(crate) async fn run(lambda: &Lambda, shutdown: impl std::future::Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    let running: Arc<Mutex<HashSet<Vec<u8>>>> = Arc::default();
    let mut swept = std::time::Instant::now();
    loop {
        if swept.elapsed() > Duration::from_secs(10) {
            swept = std::time::Instant::now();
            if let Err(error) = reclaim(lambda, false).await {
                tracing::warn!(%error, "cannot put back expired claims");
            }
        }
        let capacity = PARALLEL.saturating_sub(lock(&running).len());
        if capacity > 0 {
            let now = lambda.now_ms();
            let due = lambda
                .inner
                .kv
                .transact(|tx| tx.range(&store::queued_until(now), PARALLEL * 2))
                .await;
            match due {
                Ok(entries) => {
                    // Events wait in the queue while their function has no concurrency to spare,
                    // rather than being throttled.
                    let mut started: HashMap<String, u32> = HashMap::new();
                    for entry in entries {
                        if lock(&running).contains(&entry.0) {
                            continue;
                        }
                        let queued = match store::decode_queued(&entry.0, &entry.1) {
                            Ok(queued) => queued,
                            Err(error) => {
                                tracing::error!(%error, "unreadable queued invocation");
                                continue;
                            }
                        };
                        let count = started.entry(queued.function.clone()).or_default();
                        if *count >= lambda.inner.runtime.free_concurrency(&queued.function) {
                            continue;
                        }
                        *count += 1;
                        lock(&running).insert(entry.0.clone());
                        let lambda = lambda.clone();
                        let finished = running.clone();
                        tokio::spawn(async move {
                            let lease = lambda.now_ms() + LEASE.as_millis() as u64;
                            let claimed = lambda
                                .inner
                                .kv
                                .transact(|tx| store::claim(tx, &entry.0, lease))
                                .await;
                            match claimed {
                                Ok(Some(queued)) => {
                                    if let Err(error) = process(&lambda, queued).await {
                                        tracing::warn!(%error, "queued invocation not settled; it will run again");
                                    }
                                }
                                Ok(None) => {}
                                Err(error) => {
                                    tracing::warn!(%error, "cannot claim a queued invocation")
                                }
                            }
                            lock(&finished).remove(&entry.0);
                            lambda.inner.queued.notify_one();
                        });
                        if lock(&running).len() >= PARALLEL {
                            break;
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read the invocation queue"),
            }
        }
        tokio::select! {
            () = lambda.inner.queued.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            () = &mut shutdown => return,
        }
    }
}

/// What becomes of a queued invocation after a run.
enum Next {
    /// Done; an event for a destination may follow.
    Done(Option<(String, Json)>),
    /// Run again at this time (ms).
    Retry(u64),
}

async fn process(lambda: &Lambda, mut queued: Queued) -> Result<(), Error> {
    let target = Target {
        name: queued.function.clone(),
        qualifier: queued.qualifier.clone(),
    };
    let qualifier = queued.qualifier.clone().unwrap_or_else(|| LATEST.into());
    let found = lambda
        .inner
        .kv
        .transact(|tx| {
            let version = match lambda.resolve(tx, &target) {
                Ok(version) => version,
                Err(Error::ResourceNotFoundException(_)) => return Ok(None),
                Err(error) => return Err(error),
            };
            let config = store::get_event_invoke_config(tx, &target.name, &qualifier)?;
            Ok(Some((version, config)))
        })
        .await?;
    let Some((version, config)) = found else {
        // The function is gone: so is its queue entry.
        return settle(lambda, Next::Done(None), &queued).await;
    };
    let config = config.unwrap_or(store::EventInvokeConfig {
        maximum_retry_attempts: None,
        maximum_event_age: None,
        on_success: None,
        on_failure: None,
        last_modified_ms: 0,
    });
    let max_retries = config.maximum_retry_attempts.unwrap_or(2);
    let max_age_ms = u64::from(config.maximum_event_age.unwrap_or(21_600)) * 1000;
    let now = lambda.now_ms();
    let function_arn = format!("{}:{}", lambda.function_arn(&target.name), version.version);
    let record = |condition: &str, response: Option<(&Bytes, bool)>, invokes: u32| {
        let mut record = json!({
            "version": "1.0",
            "timestamp": crate::api::last_modified(now).replace("+0000", "Z"),
            "requestContext": {
                "requestId": queued.request_id,
                "functionArn": function_arn,
                "condition": condition,
                "approximateInvokeCount": invokes,
            },
            "requestPayload": serde_json::from_slice::<Json>(&queued.payload).unwrap_or(Json::Null),
        });
        if let Some((payload, failed)) = response {
            let mut context = json!({"statusCode": 200, "executedVersion": version.version});
            if failed {
                context["functionError"] = "Unhandled".into();
            }
            record["responseContext"] = context;
            record["responsePayload"] =
                serde_json::from_slice::<Json>(payload).unwrap_or(Json::Null);
        }
        record
    };
    if now.saturating_sub(queued.received_ms) > max_age_ms {
        let next = Next::Done(
            config
                .on_failure
                .clone()
                .map(|arn| (arn, record("EventAgeExceeded", None, queued.attempts))),
        );
        return settle(lambda, next, &queued).await;
    }
    let outcome = lambda
        .execute(
            &target,
            &version,
            Bytes::from(queued.payload.clone()),
            &queued.request_id,
            false,
            None,
        )
        .await;
    let next = match outcome {
        Ok(outcome) => {
            queued.attempts += 1;
            if !outcome.function_error {
                Next::Done(config.on_success.clone().map(|arn| {
                    (
                        arn,
                        record("Success", Some((&outcome.payload, false)), queued.attempts),
                    )
                }))
            } else if queued.attempts <= max_retries {
                let delays = lambda.inner.options.retry_delays;
                let delay = delays[(queued.attempts as usize - 1).min(delays.len() - 1)];
                Next::Retry(now + delay.as_millis() as u64)
            } else {
                Next::Done(config.on_failure.clone().map(|arn| {
                    (
                        arn,
                        record(
                            "RetriesExhausted",
                            Some((&outcome.payload, true)),
                            queued.attempts,
                        ),
                    )
                }))
            }
        }
        Err(Error::TooManyRequestsException { .. } | Error::ServiceException(_)) => {
            // As Lambda: from 1 s, doubling, up to 5 minutes.
            let delay = (1_000u64 << queued.throttles.min(9)).min(300_000);
            queued.throttles += 1;
            Next::Retry(now + delay)
        }
        Err(error) => return Err(error),
    };
    settle(lambda, next, &queued).await
}

/// Ends the claim and queues what follows, in one transaction.
async fn settle(lambda: &Lambda, next: Next, queued: &Queued) -> Result<(), Error> {
    let inner = lambda.inner.clone();
    lambda
        .inner
        .kv
        .transact(|tx| {
            store::release(tx, &queued.request_id);
            match &next {
                Next::Retry(due) => store::enqueue(tx, *due, queued),
                Next::Done(Some((arn, event))) => match destination_function(arn) {
                    Some(target) => {
                        let follow = Queued {
                            request_id: unkai_types::request_id(),
                            function: target.name.clone(),
                            qualifier: target.qualifier.clone(),
                            payload: event.to_string().into_bytes(),
                            received_ms: lambda.now_ms(),
                            attempts: 0,
                            throttles: 0,
                        };
                        store::enqueue(tx, follow.received_ms, &follow);
                        let inner = inner.clone();
                        tx.on_commit(move || inner.queued.notify_one());
                    }
                    None => tracing::warn!(
                        destination = %arn,
                        "destinations other than Lambda functions are not served yet; event dropped"
                    ),
                },
                Next::Done(None) => {}
            }
            Ok::<_, Error>(())
        })
        .await
}

/// The function a destination ARN names, when it names one.
pub(crate) fn destination_function(arn: &str) -> Option<Target> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name] => Some(Target {
            name: (*name).to_owned(),
            qualifier: None,
        }),
        ["arn", _, "lambda", _, _, "function", name, qualifier] => Some(Target {
            name: (*name).to_owned(),
            qualifier: Some((*qualifier).to_owned()),
        }),
        _ => None,
    }
}
