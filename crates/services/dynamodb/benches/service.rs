//! The DynamoDB service's own work per request, in process: no HTTP, no SigV4, an embedded store
//! (durability `os`). `GetItem` of one item and `Query` of 100 items of the shape
//! `bench/dynamodb` uses (`p`, `c` and `v`, 80 hex digits), plus two numbers per item, read
//! whole. What `bench/dynamodb` measures over HTTP, minus the edge and the network.
//!
//! `cargo bench -p unkai-dynamodb --bench service`

use std::time::SystemTime;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use unkai_dynamodb::DynamoDb;
use unkai_edge::{Context, Request, Service};
use unkai_store_embedded::{Durability, Embedded, Options};
use unkai_types::{Caller, Clock};

fn request(operation: &str, body: &str) -> Request {
    let (parts, ()) = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
        .body(())
        .expect("a valid request")
        .into_parts();
    Request {
        context: Context {
            request_id: unkai_types::request_id(),
            caller: Caller::root("000000000000", "test"),
            region: "us-east-1".into(),
            received: SystemTime::now(),
        },
        parts,
        body: Bytes::copy_from_slice(body.as_bytes()),
    }
}

async fn call(dynamodb: &DynamoDb, operation: &str, body: &str) {
    let response = dynamodb.call(request(operation, body)).await;
    assert!(response.status().is_success(), "{operation}: {response:?}");
}

fn service(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut options = Options::new(dir.path());
    options.durability = Durability::Os;
    let kv = unkai_store::Kv::new(Embedded::open(options).expect("the store opens"));
    let dynamodb = DynamoDb::new(kv, Clock::system(), Default::default());
    runtime.block_on(async {
        call(
            &dynamodb,
            "CreateTable",
            r#"{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
                "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],
                "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}]}"#,
        )
        .await;
        for i in 0..150u64 {
            let v = format!("{:080x}", u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835));
            call(
                &dynamodb,
                "PutItem",
                &format!(
                    r#"{{"TableName":"bench","Item":{{"p":{{"S":"query"}},"c":{{"S":"{i:04}"}},"v":{{"S":"{v}"}},"n":{{"N":"{i}"}},"f":{{"N":"-{i}.25"}}}}}}"#
                ),
            )
            .await;
        }
    });
    let get = r#"{"TableName":"bench","Key":{"p":{"S":"query"},"c":{"S":"0042"}}}"#;
    c.bench_function("GetItem", |b| {
        b.iter(|| runtime.block_on(call(&dynamodb, "GetItem", get)));
    });
    let query = r#"{"TableName":"bench","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"query"}},"Limit":100}"#;
    c.bench_function("Query (100 items)", |b| {
        b.iter(|| runtime.block_on(call(&dynamodb, "Query", query)));
    });
}

criterion_group!(benches, service);
criterion_main!(benches);
