//! `unkai logs FUNCTION [--follow]`: a function's log events from CloudWatch Logs
//! (`/aws/lambda/FUNCTION`), read from the running server with `FilterLogEvents`.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use anyhow::{Result, bail};
use serde_json::{Value as Json, json};

use crate::client::Client;
use crate::{LogsArgs, load_config};

pub async fn run(args: LogsArgs) -> Result<()> {
    let client = Client::running(&load_config(&args.data)?).await?;
    let group = format!("/aws/lambda/{}", args.function);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64;
    let mut start = now - args.since.as_millis() as i64;
    let mut seen: HashSet<String> = HashSet::new();
    loop {
        let mut token: Option<String> = None;
        loop {
            let mut input =
                json!({ "logGroupName": group, "startTime": start, "interleaved": true });
            if let Some(token) = &token {
                input["nextToken"] = token.clone().into();
            }
            let page = match client
                .json("logs", "Logs_20140328.FilterLogEvents", &input)
                .await
            {
                Ok(page) => page,
                Err(error) if error.to_string().starts_with("ResourceNotFoundException") => {
                    if args.follow {
                        break;
                    }
                    bail!(
                        "no logs for {} yet (the log group {group} does not exist): invoke the \
                         function first",
                        args.function
                    );
                }
                Err(error) => return Err(error),
            };
            let events = page["events"].as_array().cloned().unwrap_or_default();
            for event in &events {
                let id = event["eventId"].as_str().unwrap_or_default().to_owned();
                if !seen.insert(id) {
                    continue;
                }
                print_event(event);
                if let Some(timestamp) = event["timestamp"].as_i64() {
                    start = start.max(timestamp);
                }
            }
            token = page["nextToken"].as_str().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        if !args.follow {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn print_event(event: &Json) {
    let timestamp = event["timestamp"].as_i64().unwrap_or_default();
    let seconds = unkai_types::iso8601((timestamp / 1000) as u64);
    let stream = event["logStreamName"].as_str().unwrap_or_default();
    // `2024/01/31/[$LATEST]0123…`: the instance is the last 8 characters.
    let instance = &stream[stream.len().saturating_sub(8)..];
    println!(
        "{}.{:03}Z {instance} {}",
        seconds.trim_end_matches('Z'),
        timestamp % 1000,
        event["message"].as_str().unwrap_or_default().trim_end()
    );
}
