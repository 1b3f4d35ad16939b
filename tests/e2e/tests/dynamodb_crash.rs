//! The crash test, for DynamoDB: concurrent PutItems into a table with a global secondary
//! index, SIGKILL, restart; every acknowledged item is there, and the index holds exactly the
//! table's items (an item and its index entry are one transaction).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType,
};
use unkai_e2e::{Launch, Unkai};

const TABLE: &str = "crash-items";

async fn create_table(client: &aws_sdk_dynamodb::Client) {
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("p", KeyType::Hash))
        .attribute_definitions(attribute("p"))
        .attribute_definitions(attribute("g"))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-g")
                .key_schema(key("g", KeyType::Hash))
                .key_schema(key("p", KeyType::Range))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

async fn scan_keys(client: &aws_sdk_dynamodb::Client, index: Option<&str>) -> BTreeSet<String> {
    let pages: Vec<_> = client
        .scan()
        .table_name(TABLE)
        .set_index_name(index.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    pages
        .into_iter()
        .map(|item| item["p"].as_s().unwrap().clone())
        .collect()
}

async fn survive(durability: &'static str) {
    let mut unkai = Unkai::launch(Launch {
        durability: Some(durability),
        ..Launch::default()
    });
    create_table(&aws_sdk_dynamodb::Client::new(&unkai.sdk_config())).await;
    let mut acknowledged = BTreeSet::new();
    for round in 0..3 {
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let config = unkai.sdk_config();
        let workers: Vec<_> = (0..16)
            .map(|worker| {
                let client = aws_sdk_dynamodb::Client::new(&config);
                let (acked, stop) = (acked.clone(), stop.clone());
                tokio::spawn(async move {
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let p = format!("r{round}-w{worker}-{n}");
                        let put = client
                            .put_item()
                            .table_name(TABLE)
                            .item("p", AttributeValue::S(p.clone()))
                            .item("g", AttributeValue::S(format!("g{}", n % 7)))
                            .item("payload", AttributeValue::S("x".repeat(200)))
                            .send()
                            .await;
                        if put.is_err() {
                            break;
                        }
                        acked.lock().unwrap().push(p);
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        unkai.kill();
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.await.unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() > 10,
            "{durability} round {round}: too little load"
        );
        acknowledged.extend(acked);
        unkai.restart();
        let client = aws_sdk_dynamodb::Client::new(&unkai.sdk_config());
        let items = scan_keys(&client, None).await;
        let missing: Vec<_> = acknowledged.difference(&items).collect();
        assert!(
            missing.is_empty(),
            "{durability}: acknowledged items lost: {missing:?}"
        );
        let indexed = scan_keys(&client, Some("by-g")).await;
        assert_eq!(
            items, indexed,
            "{durability}: the index and the table disagree"
        );
        eprintln!(
            "{durability} round {round}: {} items acknowledged, all present and indexed",
            acknowledged.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_items_and_their_index_entries_survive_sigkill_with_fsync() {
    survive("fsync").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_items_and_their_index_entries_survive_sigkill_with_os_durability() {
    survive("os").await;
}
