//! STS GetCallerIdentity and the authentication errors, through the official Rust SDK and raw
//! HTTP.
#![allow(clippy::unwrap_used)]

mod raw;

use std::time::{Duration, SystemTime};

use aws_sdk_sts::error::ProvideErrorMetadata;
use unkai_e2e::Unkai;

#[tokio::test]
async fn get_caller_identity_names_the_signing_key() {
    let unkai = Unkai::start();
    let sts = aws_sdk_sts::Client::new(&unkai.sdk_config());
    let identity = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some("000000000000"));
    assert_eq!(identity.arn(), Some("arn:aws:iam::000000000000:user/admin"));
    assert!(identity.user_id().unwrap().starts_with("AIDA"));
}

#[tokio::test]
async fn a_wrong_secret_is_signature_does_not_match() {
    let unkai = Unkai::start();
    let (key, _) = unkai.credentials();
    let sts = aws_sdk_sts::Client::new(&unkai.sdk_config_with(&key, "not-the-secret"));
    let error = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(
        error.message(),
        Some(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
        )
    );
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
}

#[tokio::test]
async fn an_unknown_key_is_invalid_client_token_id() {
    let unkai = Unkai::start();
    let sts = aws_sdk_sts::Client::new(&unkai.sdk_config_with("AKIAUNKNOWNKEY000000", "x"));
    let error = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidClientTokenId"));
    assert_eq!(
        error.message(),
        Some("The security token included in the request is invalid.")
    );
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
}

#[tokio::test]
async fn unsigned_requests_are_missing_authentication_token() {
    let unkai = Unkai::start();
    let response = raw::send(
        unkai.authority(),
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        b"Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(response.status, 403);
    assert!(
        response
            .body
            .contains("<Code>MissingAuthenticationToken</Code>"),
        "{}",
        response.body
    );
    assert!(
        response
            .body
            .contains("<Message>Request is missing Authentication Token</Message>")
    );
    assert!(response.headers.contains_key("x-amzn-requestid"));
}

#[tokio::test]
async fn a_request_signed_twenty_minutes_ago_has_expired() {
    let unkai = Unkai::start();
    let (key, secret) = unkai.credentials();
    let at = SystemTime::now() - Duration::from_secs(20 * 60);
    let response = raw::signed_query(
        &unkai,
        &key,
        &secret,
        at,
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(response.status, 403);
    assert!(response.body.contains("<Code>SignatureDoesNotMatch</Code>"));
    assert!(
        response.body.contains("<Message>Signature expired: "),
        "{}",
        response.body
    );
    assert!(response.body.contains(" - 15 min.)</Message>"));
    let fresh = raw::signed_query(
        &unkai,
        &key,
        &secret,
        SystemTime::now(),
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
}

#[tokio::test]
async fn unknown_actions_and_oversized_bodies_get_aws_errors() {
    let unkai = Unkai::start();
    let (key, secret) = unkai.credentials();
    let unknown = raw::signed_query(
        &unkai,
        &key,
        &secret,
        SystemTime::now(),
        "sts",
        "Action=StealSecrets&Version=2011-06-15",
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("<Code>InvalidAction</Code>"));
    assert!(
        unknown
            .body
            .contains("Could not find operation StealSecrets for version 2011-06-15")
    );
    let planned = raw::signed_query(
        &unkai,
        &key,
        &secret,
        SystemTime::now(),
        "sts",
        "Action=AssumeRole&Version=2011-06-15",
    )
    .await;
    assert_eq!(planned.status, 501);
    assert!(
        planned
            .body
            .contains("unkai does not implement sts AssumeRole yet")
    );
    let big = format!(
        "Action=GetCallerIdentity&Version=2011-06-15&Padding={}",
        "x".repeat(1 << 20)
    );
    let too_large = raw::signed_query(&unkai, &key, &secret, SystemTime::now(), "sts", &big).await;
    assert_eq!(too_large.status, 413);
    assert!(
        too_large
            .body
            .contains("<Code>RequestEntityTooLarge</Code>")
    );
}

#[tokio::test]
async fn health_reports_version_store_and_services() {
    let unkai = Unkai::start();
    let response = raw::send(unkai.authority(), "GET", "/_unkai/health", &[], b"").await;
    assert_eq!(response.status, 200);
    let health: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["store"], "embedded");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        health["services"],
        serde_json::json!([
            "sts",
            "iam",
            "dynamodb",
            "dynamodbstreams",
            "lambda",
            "logs",
            "apigateway",
            "apigatewayv2",
            "apigatewaymanagementapi",
            "cloudformation"
        ])
    );
    assert!(health["uptime_seconds"].is_u64());
}

#[tokio::test]
async fn oversized_request_lines_and_headers_are_bad_requests() {
    let unkai = Unkai::start();
    let long_path = format!("/{}", "x".repeat(17_000));
    let line = raw::send(unkai.authority(), "POST", &long_path, &[], b"").await;
    assert_eq!(line.status, 400);
    assert!(!line.body.contains("InvalidSignatureException"));
    let padding = "y".repeat(9_000);
    let headers = raw::send(
        unkai.authority(),
        "POST",
        "/",
        &[("header1", &padding), ("header2", &padding)],
        b"",
    )
    .await;
    assert_eq!(headers.status, 400);
}
