//! SigV4 verification of a DynamoDB `GetItem` as the Rust SDK signs it: what the edge does for
//! every request before any service sees it (parse, time and scope checks, payload hash,
//! canonical request, string to sign, HMAC with the cached signing key).
//!
//! `cargo bench -p unkai-edge --bench sigv4`

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{Criterion, criterion_group, criterion_main};
use unkai_edge::sigv4::{self, KeyCache, Parts, SigningParams};

const BODY: &[u8] =
    br#"{"TableName":"bench","Key":{"pk":{"S":"key-000042"}},"ConsistentRead":false}"#;

fn request(at: SystemTime) -> http::Request<()> {
    let mut request = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", "127.0.0.1:4566")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "DynamoDB_20120810.GetItem")
        .header("content-length", BODY.len().to_string())
        .header(
            "amz-sdk-invocation-id",
            "8a1f3e6c-7a0b-4d5e-9f21-3c4b5a6d7e8f",
        )
        .header("amz-sdk-request", "attempt=1; max=3")
        .header(
            "x-amz-user-agent",
            "aws-sdk-rust/1.3.9 api/dynamodb/1.80.0 os/linux lang/rust/1.95.0",
        )
        .body(())
        .expect("a valid request");
    sigv4::sign_request(
        &mut request,
        BODY,
        &SigningParams {
            access_key_id: "AKIDEXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            region: "us-east-1",
            service: "dynamodb",
            at,
        },
    );
    request
}

fn verify(c: &mut Criterion) {
    let now = SystemTime::now();
    let request = request(now);
    let keys = KeyCache::default();
    c.bench_function("sigv4 verify GetItem", |b| {
        b.iter(|| {
            let headers = request.headers();
            let signature = sigv4::parse(headers, request.uri().query())
                .expect("parses")
                .expect("is signed");
            sigv4::check_scope(&signature, "dynamodb", now).expect("in scope");
            let payload_hash = sigv4::payload_hash(black_box(BODY));
            let parts = Parts {
                method: request.method().as_str(),
                path: request.uri().path(),
                query: request.uri().query(),
                headers,
                authority: None,
            };
            sigv4::verify(
                &parts,
                &signature,
                &payload_hash,
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                &keys,
            )
            .expect("verifies");
        });
    });
}

criterion_group!(benches, verify);
criterion_main!(benches);
