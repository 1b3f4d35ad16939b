//! DynamoDB and DynamoDB Streams through the official Rust SDKs, one test per operation family:
//! the control plane, items and expressions, queries and scans, batches, transactions, streams
//! and the errors. Errors are checked as the SDK's typed errors, with DynamoDB's code, HTTP
//! status and message (the same wording tests/e2e/python/test_dynamodb.py checks with boto3).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck,
    CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction, DeleteRequest, Get,
    GlobalSecondaryIndex, GlobalSecondaryIndexUpdate, IndexStatus, KeySchemaElement, KeyType,
    KeysAndAttributes, LocalSecondaryIndex, Projection, ProjectionType, Put, PutRequest,
    ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType, Select,
    StreamSpecification, StreamViewType, TableStatus, Tag, TimeToLiveSpecification,
    TimeToLiveStatus, TransactGetItem, TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodbstreams::types::{
    AttributeValue as StreamValue, OperationType, ShardIteratorType,
};
use unkai_e2e::Unkai;

type Item = HashMap<String, AttributeValue>;

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn item<const N: usize>(attributes: [(&str, AttributeValue); N]) -> Item {
    attributes
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// The key of the test tables: `p` (S) and `c` (N).
fn key(p: &str, c: i64) -> Item {
    item([("p", s(p)), ("c", n(c))])
}

/// The code, message and HTTP status of a failed call.
fn failure<E: ProvideErrorMetadata>(error: &SdkError<E>) -> (String, String, u16) {
    (
        error.code().unwrap_or_default().to_string(),
        error.message().unwrap_or_default().to_string(),
        error.raw_response().map_or(0, |r| r.status().as_u16()),
    )
}

fn validation(message: &str) -> (String, String, u16) {
    ("ValidationException".into(), message.into(), 400)
}

fn key_element(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .unwrap()
}

fn definition(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()
        .unwrap()
}

fn projection(kind: ProjectionType) -> Projection {
    Projection::builder().projection_type(kind).build()
}

/// A global index `by-g` on (g, c), with every attribute.
fn index_by_g() -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name("by-g")
        .key_schema(key_element("g", KeyType::Hash))
        .key_schema(key_element("c", KeyType::Range))
        .projection(projection(ProjectionType::All))
        .build()
        .unwrap()
}

fn stream(view: StreamViewType) -> StreamSpecification {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(view)
        .build()
        .unwrap()
}

/// Creates a table keyed (p S, c N) with a global index `by-g` and a stream, and waits for it.
async fn create_table(ddb: &Client, name: &str, view: StreamViewType) {
    ddb.create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("p", KeyType::Hash))
        .key_schema(key_element("c", KeyType::Range))
        .attribute_definitions(definition("p", ScalarAttributeType::S))
        .attribute_definitions(definition("c", ScalarAttributeType::N))
        .attribute_definitions(definition("g", ScalarAttributeType::S))
        .global_secondary_indexes(index_by_g())
        .stream_specification(stream(view))
        .send()
        .await
        .unwrap();
    wait_for(&format!("table {name} to be active"), move || async move {
        let described = ddb.describe_table().table_name(name).send().await.unwrap();
        described.table().unwrap().table_status() == Some(&TableStatus::Active)
    })
    .await;
}

/// Polls `done` until it holds (background work: table creation, backfills, TTL).
async fn wait_for<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn control_plane() {
    let unkai = Unkai::start();
    let client = Client::new(&unkai.sdk_config());
    let ddb = &client;
    let arn = "arn:aws:dynamodb:us-east-1:000000000000:table/control";

    // CreateTable with a global and a local index, a stream and tags.
    let created = ddb
        .create_table()
        .table_name("control")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("p", KeyType::Hash))
        .key_schema(key_element("c", KeyType::Range))
        .attribute_definitions(definition("p", ScalarAttributeType::S))
        .attribute_definitions(definition("c", ScalarAttributeType::N))
        .attribute_definitions(definition("g", ScalarAttributeType::S))
        .attribute_definitions(definition("l", ScalarAttributeType::S))
        .global_secondary_indexes(index_by_g())
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("by-l")
                .key_schema(key_element("p", KeyType::Hash))
                .key_schema(key_element("l", KeyType::Range))
                .projection(projection(ProjectionType::KeysOnly))
                .build()
                .unwrap(),
        )
        .stream_specification(stream(StreamViewType::NewImage))
        .tags(Tag::builder().key("team").value("clouds").build().unwrap())
        .send()
        .await
        .unwrap();
    let description = created.table_description().unwrap();
    assert_eq!(description.table_status(), Some(&TableStatus::Creating));
    assert_eq!(description.table_arn(), Some(arn));
    wait_for("the table to be active", move || async move {
        let described = ddb.describe_table().table_name("control").send().await;
        described.unwrap().table().unwrap().table_status() == Some(&TableStatus::Active)
    })
    .await;
    let described = ddb
        .describe_table()
        .table_name("control")
        .send()
        .await
        .unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.key_schema().len(), 2);
    let [gsi] = table.global_secondary_indexes() else {
        panic!("one global index: {table:?}")
    };
    assert_eq!(gsi.index_name(), Some("by-g"));
    assert_eq!(gsi.index_status(), Some(&IndexStatus::Active));
    assert_eq!(
        table.local_secondary_indexes()[0].index_name(),
        Some("by-l")
    );
    let stream_arn = table.latest_stream_arn().unwrap();
    assert!(
        stream_arn.starts_with(&format!("{arn}/stream/")),
        "{stream_arn}"
    );
    let tags = ddb
        .list_tags_of_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].value(), "clouds");

    // ResourceInUseException for a name that is taken.
    let taken = ddb
        .create_table()
        .table_name("control")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("p", KeyType::Hash))
        .attribute_definitions(definition("p", ScalarAttributeType::S))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&taken),
        (
            "ResourceInUseException".into(),
            "Table already exists: control".into(),
            400
        )
    );
    assert!(taken.into_service_error().is_resource_in_use_exception());

    // ListTables pages in name order.
    for name in ["control-a", "control-b"] {
        ddb.create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key_element("p", KeyType::Hash))
            .attribute_definitions(definition("p", ScalarAttributeType::S))
            .send()
            .await
            .unwrap();
    }
    let first = ddb.list_tables().limit(2).send().await.unwrap();
    assert_eq!(first.table_names(), ["control", "control-a"]);
    assert_eq!(first.last_evaluated_table_name(), Some("control-a"));
    let names: Vec<String> = ddb
        .list_tables()
        .limit(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(names, ["control", "control-a", "control-b"]);

    // UpdateTable adds a global index, fills it from the items there, and removes it.
    for c in 0..6 {
        let mut row = key("k", c);
        row.insert("x".into(), s(if c % 2 == 0 { "even" } else { "odd" }));
        ddb.put_item()
            .table_name("control")
            .set_item(Some(row))
            .send()
            .await
            .unwrap();
    }
    ddb.update_table()
        .table_name("control")
        .attribute_definitions(definition("x", ScalarAttributeType::S))
        .attribute_definitions(definition("c", ScalarAttributeType::N))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .create(
                    CreateGlobalSecondaryIndexAction::builder()
                        .index_name("by-x")
                        .key_schema(key_element("x", KeyType::Hash))
                        .key_schema(key_element("c", KeyType::Range))
                        .projection(projection(ProjectionType::KeysOnly))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_for("the new index to be backfilled", move || async move {
        let described = ddb.describe_table().table_name("control").send().await;
        described
            .unwrap()
            .table()
            .unwrap()
            .global_secondary_indexes()
            .iter()
            .any(|i| {
                i.index_name() == Some("by-x") && i.index_status() == Some(&IndexStatus::Active)
            })
    })
    .await;
    let odd = ddb
        .query()
        .table_name("control")
        .index_name("by-x")
        .key_condition_expression("x = :x")
        .expression_attribute_values(":x", s("odd"))
        .send()
        .await
        .unwrap();
    let found: Vec<&AttributeValue> = odd.items().iter().map(|i| &i["c"]).collect();
    assert_eq!(found, [&n(1), &n(3), &n(5)]);
    ddb.update_table()
        .table_name("control")
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .delete(
                    DeleteGlobalSecondaryIndexAction::builder()
                        .index_name("by-x")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_for("the index to be removed", move || async move {
        let described = ddb.describe_table().table_name("control").send().await;
        described
            .unwrap()
            .table()
            .unwrap()
            .global_secondary_indexes()
            .len()
            == 1
    })
    .await;

    // TimeToLive.
    let spec = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name("expires")
        .build()
        .unwrap();
    let updated = ddb
        .update_time_to_live()
        .table_name("control")
        .time_to_live_specification(spec.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.time_to_live_specification(), Some(&spec));
    let ttl = ddb
        .describe_time_to_live()
        .table_name("control")
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(ttl.attribute_name(), Some("expires"));
    let again = ddb
        .update_time_to_live()
        .table_name("control")
        .time_to_live_specification(spec)
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(&again), validation("TimeToLive is already enabled"));

    // Tags.
    ddb.tag_resource()
        .resource_arn(arn)
        .tags(Tag::builder().key("env").value("test").build().unwrap())
        .send()
        .await
        .unwrap();
    ddb.untag_resource()
        .resource_arn(arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = ddb
        .list_tags_of_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    let tags: Vec<(&str, &str)> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, [("env", "test")]);

    // DescribeLimits and DescribeEndpoints.
    let limits = ddb.describe_limits().send().await.unwrap();
    assert_eq!(limits.account_max_read_capacity_units(), Some(80_000));
    assert_eq!(limits.table_max_write_capacity_units(), Some(40_000));
    let endpoints = ddb.describe_endpoints().send().await.unwrap();
    assert_eq!(endpoints.endpoints().len(), 1);
    assert_eq!(endpoints.endpoints()[0].cache_period_in_minutes(), 1440);

    // DeleteTable, then the table is gone.
    let deleted = ddb
        .delete_table()
        .table_name("control")
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.table_description().unwrap().table_status(),
        Some(&TableStatus::Deleting)
    );
    let missing = ddb
        .describe_table()
        .table_name("control")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&missing),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found: Table: control not found".into(),
            400
        )
    );
    assert!(
        missing
            .into_service_error()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn items_and_expressions() {
    let unkai = Unkai::start();
    let ddb = Client::new(&unkai.sdk_config());
    create_table(&ddb, "items", StreamViewType::KeysOnly).await;

    // PutItem and GetItem keep every type.
    let mut stored = key("a", 1);
    stored.extend(item([
        ("s", s("text")),
        ("n", n("12.5")),
        ("b", AttributeValue::B(vec![0, 1].into())),
        ("ss", AttributeValue::Ss(vec!["x".into(), "y".into()])),
        ("ts", AttributeValue::Ss(vec!["a".into(), "b".into()])),
        (
            "l",
            AttributeValue::L(vec![n(1), s("two"), AttributeValue::Null(true)]),
        ),
        (
            "m",
            AttributeValue::M(item([("k", AttributeValue::Bool(true))])),
        ),
    ]));
    let old = ddb
        .put_item()
        .table_name("items")
        .set_item(Some(stored.clone()))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(old.attributes(), None);
    let got = ddb
        .get_item()
        .table_name("items")
        .set_key(Some(key("a", 1)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    assert_eq!(got.item(), Some(&stored));

    // UpdateItem: SET arithmetic, if_not_exists, list_append, nested paths and list indexes,
    // REMOVE, ADD, DELETE on sets; ReturnValues.
    let updated = ddb
        .update_item()
        .table_name("items")
        .set_key(Some(key("a", 1)))
        .update_expression(
            "SET n = n + :half, fresh = if_not_exists(fresh, :zero), \
             tail = list_append(if_not_exists(tail, :empty), :more), m.added = :s, l[0] = :s \
             REMOVE m.k ADD ss :z, hits :one DELETE ts :a",
        )
        .expression_attribute_values(":half", n("0.5"))
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":empty", AttributeValue::L(vec![]))
        .expression_attribute_values(":more", AttributeValue::L(vec![s("end")]))
        .expression_attribute_values(":s", s("set"))
        .expression_attribute_values(":z", AttributeValue::Ss(vec!["z".into()]))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":a", AttributeValue::Ss(vec!["a".into()]))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .unwrap();
    let mut sets = updated.attributes().unwrap().clone();
    let Some(AttributeValue::Ss(mut members)) = sets.remove("ss") else {
        panic!("ss is a string set: {updated:?}")
    };
    members.sort();
    assert_eq!(members, ["x", "y", "z"]);
    // UPDATED_NEW projects the updated paths: l[0] is a one-element list.
    assert_eq!(
        sets,
        item([
            ("n", n(13)),
            ("fresh", n(0)),
            ("tail", AttributeValue::L(vec![s("end")])),
            ("l", AttributeValue::L(vec![s("set")])),
            ("m", AttributeValue::M(item([("added", s("set"))]))),
            ("ts", AttributeValue::Ss(vec!["b".into()])),
            ("hits", n(1)),
        ])
    );

    // A failed condition, with the item as it was.
    let failed = ddb
        .put_item()
        .table_name("items")
        .set_item(Some(key("a", 1)))
        .condition_expression("attribute_not_exists(p)")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&failed),
        (
            "ConditionalCheckFailedException".into(),
            "The conditional request failed".into(),
            400
        )
    );
    let error = failed.into_service_error();
    let PutItemError::ConditionalCheckFailedException(error) = error else {
        panic!("a ConditionalCheckFailedException: {error:?}")
    };
    assert_eq!(error.item().unwrap()["n"], n(13));

    let failed = ddb
        .update_item()
        .table_name("items")
        .set_key(Some(key("a", 1)))
        .update_expression("SET n = :v")
        .condition_expression("n < :v")
        .expression_attribute_values(":v", n(1))
        .send()
        .await
        .unwrap_err();
    let error = failed.into_service_error();
    assert!(error.is_conditional_check_failed_exception());

    // Projection.
    let projected = ddb
        .get_item()
        .table_name("items")
        .set_key(Some(key("a", 1)))
        .projection_expression("l[2], tail[0], #m.added")
        .expression_attribute_names("#m", "m")
        .send()
        .await
        .unwrap();
    assert_eq!(
        projected.item(),
        Some(&item([
            ("l", AttributeValue::L(vec![AttributeValue::Null(true)])),
            ("tail", AttributeValue::L(vec![s("end")])),
            ("m", AttributeValue::M(item([("added", s("set"))]))),
        ]))
    );

    // DeleteItem with ReturnValues.
    let deleted = ddb
        .delete_item()
        .table_name("items")
        .set_key(Some(key("a", 1)))
        .condition_expression("attribute_exists(hits)")
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.attributes().unwrap()["hits"], n(1));
    let gone = ddb
        .get_item()
        .table_name("items")
        .set_key(Some(key("a", 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.item(), None);
}

#[tokio::test]
async fn query_and_scan() {
    let unkai = Unkai::start();
    let ddb = Client::new(&unkai.sdk_config());
    create_table(&ddb, "reads", StreamViewType::KeysOnly).await;
    for c in 0..20 {
        let mut row = key(if c < 15 { "q" } else { "r" }, c);
        row.insert("g".into(), s(if c % 2 == 0 { "even" } else { "odd" }));
        row.insert("v".into(), n(c * 10));
        ddb.put_item()
            .table_name("reads")
            .set_item(Some(row))
            .send()
            .await
            .unwrap();
    }

    // A key condition with a range, a Limit, and the page that follows.
    let page = ddb
        .query()
        .table_name("reads")
        .key_condition_expression("p = :p AND c BETWEEN :lo AND :hi")
        .expression_attribute_values(":p", s("q"))
        .expression_attribute_values(":lo", n(3))
        .expression_attribute_values(":hi", n(9))
        .limit(4)
        .send()
        .await
        .unwrap();
    let cs = |items: &[Item]| items.iter().map(|i| i["c"].clone()).collect::<Vec<_>>();
    assert_eq!(cs(page.items()), [n(3), n(4), n(5), n(6)]);
    assert_eq!(page.last_evaluated_key(), Some(&key("q", 6)));
    let rest = ddb
        .query()
        .table_name("reads")
        .key_condition_expression("p = :p AND c BETWEEN :lo AND :hi")
        .expression_attribute_values(":p", s("q"))
        .expression_attribute_values(":lo", n(3))
        .expression_attribute_values(":hi", n(9))
        .set_exclusive_start_key(page.last_evaluated_key().cloned())
        .send()
        .await
        .unwrap();
    assert_eq!(cs(rest.items()), [n(7), n(8), n(9)]);
    assert_eq!(rest.last_evaluated_key(), None);

    // The paginator over a global index, newest first, with a filter.
    let odd: Vec<Item> = ddb
        .query()
        .table_name("reads")
        .index_name("by-g")
        .key_condition_expression("g = :g")
        .filter_expression("v >= :min")
        .expression_attribute_values(":g", s("odd"))
        .expression_attribute_values(":min", n(100))
        .scan_index_forward(false)
        .limit(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(cs(&odd), [n(19), n(17), n(15), n(13), n(11)]);

    // COUNT.
    let counted = ddb
        .query()
        .table_name("reads")
        .key_condition_expression("p = :p")
        .expression_attribute_values(":p", s("r"))
        .select(Select::Count)
        .send()
        .await
        .unwrap();
    assert_eq!((counted.count(), counted.items().len()), (5, 0));

    // A scan in pages, and a parallel scan in segments that cover the table once.
    let all: Vec<Item> = ddb
        .scan()
        .table_name("reads")
        .limit(6)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all.len(), 20);
    let mut seen = Vec::new();
    for segment in 0..3 {
        let part = ddb
            .scan()
            .table_name("reads")
            .segment(segment)
            .total_segments(3)
            .send()
            .await
            .unwrap();
        seen.extend(
            part.items()
                .iter()
                .map(|i| i["c"].as_n().unwrap().parse::<i64>().unwrap()),
        );
    }
    seen.sort();
    assert_eq!(seen, (0..20).collect::<Vec<_>>());
    let filtered = ddb
        .scan()
        .table_name("reads")
        .filter_expression("v > :v")
        .expression_attribute_values(":v", n(160))
        .send()
        .await
        .unwrap();
    assert_eq!((filtered.count(), filtered.scanned_count()), (3, 20));

    let error = ddb
        .query()
        .table_name("reads")
        .index_name("nope")
        .key_condition_expression("g = :g")
        .expression_attribute_values(":g", s("odd"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation("The table does not have the specified index: nope")
    );
    let error = ddb
        .scan()
        .table_name("reads")
        .segment(3)
        .total_segments(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "The Segment parameter is zero-based and must be less than parameter \
             TotalSegments: Segment: 3 is not less than TotalSegments: 3"
        )
    );
}

#[tokio::test]
async fn batches() {
    let unkai = Unkai::start();
    let ddb = Client::new(&unkai.sdk_config());
    create_table(&ddb, "batch", StreamViewType::KeysOnly).await;
    let put = |c: i64| {
        let mut row = key("b", c);
        row.insert("v".into(), n(c));
        WriteRequest::builder()
            .put_request(PutRequest::builder().set_item(Some(row)).build().unwrap())
            .build()
    };
    let written = ddb
        .batch_write_item()
        .request_items("batch", (0..5).map(put).collect())
        .send()
        .await
        .unwrap();
    assert!(written.unprocessed_items().unwrap().is_empty());
    ddb.batch_write_item()
        .request_items(
            "batch",
            vec![
                WriteRequest::builder()
                    .delete_request(
                        DeleteRequest::builder()
                            .set_key(Some(key("b", 0)))
                            .build()
                            .unwrap(),
                    )
                    .build(),
                put(9),
            ],
        )
        .send()
        .await
        .unwrap();
    let got = ddb
        .batch_get_item()
        .request_items(
            "batch",
            KeysAndAttributes::builder()
                .set_keys(Some([0, 1, 4, 9].map(|c| key("b", c)).to_vec()))
                .projection_expression("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(got.unprocessed_keys().unwrap().is_empty());
    let mut values: Vec<String> = got.responses().unwrap()["batch"]
        .iter()
        .map(|i| i["v"].as_n().unwrap().clone())
        .collect();
    values.sort();
    assert_eq!(values, ["1", "4", "9"]);

    let duplicates = ddb
        .batch_get_item()
        .request_items(
            "batch",
            KeysAndAttributes::builder()
                .keys(key("b", 1))
                .keys(key("b", 1))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&duplicates),
        validation("Provided list of item keys contains duplicates")
    );
    let missing = ddb
        .batch_write_item()
        .request_items("no-such-table", vec![put(1)])
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&missing),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found".into(),
            400
        )
    );
    assert!(
        missing
            .into_service_error()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn transactions() {
    let unkai = Unkai::start();
    let ddb = Client::new(&unkai.sdk_config());
    create_table(&ddb, "transfers", StreamViewType::KeysOnly).await;
    let mut account = key("acct", 1);
    account.insert("balance".into(), n(10));
    ddb.put_item()
        .table_name("transfers")
        .set_item(Some(account))
        .send()
        .await
        .unwrap();
    let transfer = |amount: i64| {
        vec![
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name("transfers")
                        .set_key(Some(key("acct", 1)))
                        .update_expression("SET balance = balance - :a")
                        .condition_expression("balance >= :a")
                        .expression_attribute_values(":a", n(amount))
                        .return_values_on_condition_check_failure(
                            ReturnValuesOnConditionCheckFailure::AllOld,
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name("transfers")
                        .set_key(Some(key("acct", 2)))
                        .update_expression("ADD balance :a")
                        .expression_attribute_values(":a", n(amount))
                        .build()
                        .unwrap(),
                )
                .build(),
            TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name("transfers")
                        .set_key(Some(key("open", 0)))
                        .condition_expression("attribute_not_exists(closed)")
                        .build()
                        .unwrap(),
                )
                .build(),
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name("transfers")
                        .set_item(Some(item([
                            ("p", s("log")),
                            ("c", n(amount)),
                            ("amount", n(amount)),
                        ])))
                        .build()
                        .unwrap(),
                )
                .build(),
        ]
    };
    let token = "transfer-7";
    for _ in 0..2 {
        ddb.transact_write_items()
            .set_transact_items(Some(transfer(7)))
            .client_request_token(token)
            .send()
            .await
            .unwrap();
    }
    let balances = ddb
        .transact_get_items()
        .transact_items(
            TransactGetItem::builder()
                .get(
                    Get::builder()
                        .table_name("transfers")
                        .set_key(Some(key("acct", 1)))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .transact_items(
            TransactGetItem::builder()
                .get(
                    Get::builder()
                        .table_name("transfers")
                        .set_key(Some(key("acct", 2)))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .transact_items(
            TransactGetItem::builder()
                .get(
                    Get::builder()
                        .table_name("transfers")
                        .set_key(Some(key("log", 99)))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let balance = |i: usize| {
        balances.responses()[i]
            .item()
            .map(|item| item["balance"].clone())
    };
    // The token made the second call a no-op.
    assert_eq!(
        (balance(0), balance(1), balance(2)),
        (Some(n(3)), Some(n(7)), None)
    );

    // The same token with other parameters.
    let mismatch = ddb
        .transact_write_items()
        .set_transact_items(Some(transfer(1)))
        .client_request_token(token)
        .send()
        .await
        .unwrap_err();
    let (code, _, status) = failure(&mismatch);
    assert_eq!(
        (code.as_str(), status),
        ("IdempotentParameterMismatchException", 400)
    );
    assert!(
        mismatch
            .into_service_error()
            .is_idempotent_parameter_mismatch_exception()
    );

    // Not enough balance: cancelled, one reason per action, the failed one with the old item.
    let cancelled = ddb
        .transact_write_items()
        .set_transact_items(Some(transfer(5)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&cancelled),
        (
            "TransactionCanceledException".into(),
            "Transaction cancelled, please refer cancellation reasons for specific reasons \
             [ConditionalCheckFailed, None, None, None]"
                .into(),
            400
        )
    );
    let error = cancelled.into_service_error();
    let TransactWriteItemsError::TransactionCanceledException(error) = error else {
        panic!("a TransactionCanceledException: {error:?}")
    };
    let reasons: Vec<(Option<&str>, Option<&str>)> = error
        .cancellation_reasons()
        .iter()
        .map(|r| (r.code(), r.message()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                Some("ConditionalCheckFailed"),
                Some("The conditional request failed")
            ),
            (Some("None"), None),
            (Some("None"), None),
            (Some("None"), None),
        ]
    );
    assert_eq!(
        error.cancellation_reasons()[0].item().unwrap()["balance"],
        n(3)
    );
    let log = ddb
        .get_item()
        .table_name("transfers")
        .set_key(Some(key("log", 5)))
        .send()
        .await
        .unwrap();
    assert_eq!(log.item(), None, "a cancelled transaction writes nothing");
}

#[tokio::test]
async fn streams() {
    let unkai = Unkai::start();
    let config = unkai.sdk_config();
    let ddb = Client::new(&config);
    let streams = aws_sdk_dynamodbstreams::Client::new(&config);
    create_table(&ddb, "changes", StreamViewType::NewAndOldImages).await;
    let described = ddb
        .describe_table()
        .table_name("changes")
        .send()
        .await
        .unwrap();
    let arn = described
        .table()
        .unwrap()
        .latest_stream_arn()
        .unwrap()
        .to_string();

    let listed = streams
        .list_streams()
        .table_name("changes")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.streams().len(), 1);
    assert_eq!(listed.streams()[0].stream_arn(), Some(arn.as_str()));
    let description = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .unwrap();
    let description = description.stream_description().unwrap();
    assert_eq!(description.table_name(), Some("changes"));
    assert_eq!(
        description.stream_view_type(),
        Some(&aws_sdk_dynamodbstreams::types::StreamViewType::NewAndOldImages)
    );
    let shard = description.shards()[0].shard_id().unwrap().to_string();

    let iterator = |kind: ShardIteratorType, sequence: Option<String>| {
        let streams = streams.clone();
        let (arn, shard) = (arn.clone(), shard.clone());
        async move {
            let output = streams
                .get_shard_iterator()
                .stream_arn(arn)
                .shard_id(shard)
                .shard_iterator_type(kind)
                .set_sequence_number(sequence)
                .send()
                .await
                .unwrap();
            output.shard_iterator().unwrap().to_string()
        }
    };
    let latest = iterator(ShardIteratorType::Latest, None).await;

    ddb.put_item()
        .table_name("changes")
        .set_item(Some(item([("p", s("s")), ("c", n(1)), ("v", s("one"))])))
        .send()
        .await
        .unwrap();
    ddb.update_item()
        .table_name("changes")
        .set_key(Some(key("s", 1)))
        .update_expression("SET v = :v")
        .expression_attribute_values(":v", s("two"))
        .send()
        .await
        .unwrap();
    ddb.delete_item()
        .table_name("changes")
        .set_key(Some(key("s", 1)))
        .send()
        .await
        .unwrap();

    let records = streams
        .get_records()
        .shard_iterator(iterator(ShardIteratorType::TrimHorizon, None).await)
        .send()
        .await
        .unwrap();
    let records = records.records();
    let events: Vec<Option<&OperationType>> = records.iter().map(|r| r.event_name()).collect();
    assert_eq!(
        events,
        [
            Some(&OperationType::Insert),
            Some(&OperationType::Modify),
            Some(&OperationType::Remove)
        ]
    );
    let modify = records[1].dynamodb().unwrap();
    assert_eq!(
        modify.old_image().unwrap()["v"],
        StreamValue::S("one".into())
    );
    assert_eq!(
        modify.new_image().unwrap()["v"],
        StreamValue::S("two".into())
    );
    assert_eq!(modify.keys().unwrap()["c"], StreamValue::N("1".into()));
    let sequence: Vec<String> = records
        .iter()
        .map(|r| r.dynamodb().unwrap().sequence_number().unwrap().to_string())
        .collect();

    // The iterator taken before the writes sees all three.
    let from_latest = streams
        .get_records()
        .shard_iterator(latest)
        .send()
        .await
        .unwrap();
    assert_eq!(from_latest.records().len(), 3);
    let at = streams
        .get_records()
        .shard_iterator(
            iterator(
                ShardIteratorType::AtSequenceNumber,
                Some(sequence[1].clone()),
            )
            .await,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(at.records().len(), 2);
    let after = streams
        .get_records()
        .shard_iterator(
            iterator(
                ShardIteratorType::AfterSequenceNumber,
                Some(sequence[1].clone()),
            )
            .await,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.records()[0].dynamodb().unwrap().sequence_number(),
        Some(sequence[2].as_str())
    );

    let missing = streams
        .describe_stream()
        .stream_arn(
            "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2024-01-01T00:00:00.000",
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&missing),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found: Stream: \
             arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2024-01-01T00:00:00.000 \
             not found"
                .into(),
            400
        )
    );
    assert!(
        missing
            .into_service_error()
            .is_resource_not_found_exception()
    );
    let no_shard = streams
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id("shardId-00000000000000000000-00000000")
        .shard_iterator_type(ShardIteratorType::Latest)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&no_shard),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found: Shard does not exist".into(),
            400
        )
    );
}

#[tokio::test]
async fn errors() {
    let unkai = Unkai::start();
    let ddb = Client::new(&unkai.sdk_config());
    create_table(&ddb, "errors", StreamViewType::KeysOnly).await;

    let missing = ddb
        .get_item()
        .table_name("no-such-table")
        .set_key(Some(key("a", 1)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&missing),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found".into(),
            400
        )
    );
    assert!(
        missing
            .into_service_error()
            .is_resource_not_found_exception()
    );

    let short = ddb
        .describe_table()
        .table_name("ab")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&short),
        validation(
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy \
             constraint: Member must have length greater than or equal to 3"
        )
    );

    let put = |row: Item| {
        ddb.put_item()
            .table_name("errors")
            .set_item(Some(row))
            .send()
    };
    let error = put(item([("p", s("a"))])).await.unwrap_err();
    assert_eq!(
        failure(&error),
        validation("One or more parameter values were invalid: Missing the key c in the item")
    );
    let error = put(item([("p", s("")), ("c", n(1))])).await.unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "One or more parameter values are not valid. The AttributeValue for a key \
             attribute cannot contain an empty string value. Key: p"
        )
    );
    let error = put(item([("p", s(&"h".repeat(2049))), ("c", n(1))]))
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "One or more parameter values were invalid: Size of hashkey has exceeded the \
             maximum size limit of2048 bytes"
        )
    );
    let mut big = key("a", 1);
    big.insert("v".into(), s(&"x".repeat(400 * 1024)));
    let error = put(big).await.unwrap_err();
    assert_eq!(
        failure(&error),
        validation("Item size has exceeded the maximum allowed size")
    );
    let mut empty_set = key("a", 1);
    empty_set.insert("v".into(), AttributeValue::Ss(vec![]));
    let error = put(empty_set).await.unwrap_err();
    assert_eq!(
        failure(&error),
        validation("One or more parameter values were invalid: An string set  may not be empty")
    );

    let update = |expression: &str| {
        ddb.update_item()
            .table_name("errors")
            .set_key(Some(key("a", 1)))
            .update_expression(expression)
    };
    let error = update("SET v = :v")
        .expression_attribute_values(":v", n(1))
        .expression_attribute_values(":unused", n(2))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
        )
    );
    let error = update("SET v = :v")
        .expression_attribute_values(":v", n(1))
        .expression_attribute_names("#unused", "x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
        )
    );
    let error = update("SET #v = :nope")
        .expression_attribute_names("#v", "v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "Invalid UpdateExpression: An expression attribute value used in expression is not \
             defined; attribute value: :nope"
        )
    );
    let error = update("SET #nope = :v")
        .expression_attribute_values(":v", n(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "Invalid UpdateExpression: An expression attribute name used in the document path \
             is not defined; attribute name: #nope"
        )
    );
    let error = update("SET c = :v")
        .expression_attribute_values(":v", n(2))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation(
            "One or more parameter values were invalid: Cannot update attribute c. This \
             attribute is part of the key"
        )
    );
    let error = ddb
        .query()
        .table_name("errors")
        .key_condition_expression("c = :c")
        .expression_attribute_values(":c", n(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation("Query condition missed key schema element: p")
    );
    let error = ddb
        .put_item()
        .table_name("errors")
        .set_item(Some(key("a", 1)))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        validation("Return values set to invalid value")
    );
}
