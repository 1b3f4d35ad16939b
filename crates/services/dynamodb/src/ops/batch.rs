//! [BatchGetItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html)
//! and [BatchWriteItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html).
//! A BatchGetItem answers at most 16 MB of items; the keys it did not get to come back in
//! `UnprocessedKeys` with their table's request options, as DynamoDB does. Deviation: a whole
//! batch runs in one transaction, so BatchWriteItem is all-or-nothing and its
//! `UnprocessedItems` is always empty.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::get_item::{projected, projection};
use super::items::{self, Capacity, ReturnCapacity, read_units, write_units};
use super::{Scope, millis, table_name};
use crate::expr::Context;
use crate::item::{Item, size};
use crate::write::{Meta, Origin, write};
use crate::{DynamoDb, Error, keys, store};

/// Most keys in one BatchGetItem.
const MAX_GETS: usize = 100;
/// Most requests in one BatchWriteItem.
const MAX_WRITES: usize = 25;

/// Most bytes of items one BatchGetItem answers.
const MAX_RESPONSE_BYTES: usize = 16 << 20;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct KeysAndAttributes {
    keys: Option<Vec<Item>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    projection_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes_to_get: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consistent_read: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchGetItemInput {
    request_items: Option<BTreeMap<String, KeysAndAttributes>>,
    return_consumed_capacity: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutRequest {
    item: Option<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteRequest {
    key: Option<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WriteRequest {
    put_request: Option<PutRequest>,
    delete_request: Option<DeleteRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchWriteItemInput {
    request_items: Option<BTreeMap<String, Vec<WriteRequest>>>,
    return_consumed_capacity: Option<String>,
    return_item_collection_metrics: Option<String>,
}

fn too_few(member: &str) -> Error {
    Error::Validation(format!(
        "1 validation error detected: Value '{{}}' at '{member}' failed to satisfy constraint: \
         Member must have length greater than or equal to 1"
    ))
}

fn duplicates() -> Error {
    Error::Validation("Provided list of item keys contains duplicates".into())
}

fn capacities(by_table: &BTreeMap<String, Capacity>, mode: ReturnCapacity) -> Option<Json> {
    (mode != ReturnCapacity::None).then(|| {
        by_table
            .iter()
            .filter_map(|(name, capacity)| capacity.json(name, mode))
            .collect::<Vec<_>>()
            .into()
    })
}

impl DynamoDb {
    pub(crate) async fn batch_get_item(
        &self,
        scope: Scope<'_>,
        input: BatchGetItemInput,
    ) -> Result<Json, Error> {
        let requests = items::required(input.request_items.as_ref(), "requestItems")?;
        if requests.is_empty() {
            return Err(too_few("requestItems"));
        }
        let mode = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        let mut total = 0;
        let mut prepared = Vec::new();
        for (name, request) in requests {
            table_name(Some(name))?;
            let keys = request.keys.as_deref().unwrap_or_default();
            if keys.is_empty() {
                return Err(Error::Validation(format!(
                    "1 validation error detected: Value null at 'requestItems.{name}.member.keys' \
                     failed to satisfy constraint: Member must not be null"
                )));
            }
            total += keys.len();
            crate::expr::check_parameters(
                crate::expr::Operation::BatchGetItem,
                &crate::expr::Parameters {
                    projection_expression: request.projection_expression.is_some(),
                    attributes_to_get: request.attributes_to_get.is_some(),
                    expression_attribute_names: request.expression_attribute_names.is_some(),
                    ..Default::default()
                },
            )?;
            let context = Context::new(request.expression_attribute_names.as_ref(), None);
            let projection = projection(
                request.projection_expression.as_deref(),
                request.attributes_to_get.as_ref(),
                &context,
            )?;
            context.check_unused()?;
            prepared.push((name, request, projection));
        }
        if total > MAX_GETS {
            return Err(Error::Validation(
                "Too many items requested for the BatchGetItem call".into(),
            ));
        }
        let (responses, unprocessed, capacity) = self
            .kv
            .transact(|tx| {
                let mut responses = serde_json::Map::new();
                let mut unprocessed = serde_json::Map::new();
                let mut capacity = BTreeMap::new();
                let mut bytes = 0;
                for (name, request, projection) in &prepared {
                    let table = self.existing_table(tx, scope, name)?;
                    let mut seen = Vec::new();
                    for key_item in request.keys.as_deref().unwrap_or_default() {
                        let key = keys::key(&table, key_item)?;
                        if seen.contains(&key) {
                            return Err(duplicates());
                        }
                        seen.push(key);
                    }
                    let mut found = Vec::new();
                    let mut left = Vec::new();
                    let consistent = request.consistent_read.unwrap_or(false);
                    let mut units = 0.0;
                    for (key, key_item) in
                        seen.iter().zip(request.keys.as_deref().unwrap_or_default())
                    {
                        if bytes >= MAX_RESPONSE_BYTES {
                            left.push(key_item.clone());
                            continue;
                        }
                        let (hash, range) = key.parts();
                        let stored = store::item_key(table.id, hash, range);
                        let item = match tx.get(&stored)? {
                            Some(value) => Some(store::decode_item(&stored, &value)?),
                            None => None,
                        };
                        let item_bytes = item.as_ref().map_or(0, size::item_size);
                        if bytes + item_bytes > MAX_RESPONSE_BYTES {
                            bytes = MAX_RESPONSE_BYTES;
                            left.push(key_item.clone());
                            continue;
                        }
                        bytes += item_bytes;
                        // Each item's size is rounded up on its own, as DynamoDB does.
                        units += read_units(item_bytes, consistent);
                        if let Some(item) = item {
                            found.push(
                                serde_json::to_value(projected(item, projection.as_ref()))
                                    .expect("items serialize"),
                            );
                        }
                    }
                    if !left.is_empty() {
                        let rest = KeysAndAttributes {
                            keys: Some(left),
                            ..(*request).clone()
                        };
                        unprocessed.insert(
                            name.to_string(),
                            serde_json::to_value(rest).expect("requests serialize"),
                        );
                    }
                    capacity.insert(
                        name.to_string(),
                        Capacity {
                            table: units,
                            ..Capacity::default()
                        },
                    );
                    responses.insert(name.to_string(), Json::Array(found));
                }
                Ok::<_, Error>((responses, unprocessed, capacity))
            })
            .await?;
        let mut output = json!({ "Responses": responses, "UnprocessedKeys": unprocessed });
        if let Some(consumed) = capacities(&capacity, mode) {
            output["ConsumedCapacity"] = consumed;
        }
        Ok(output)
    }

    pub(crate) async fn batch_write_item(
        &self,
        scope: Scope<'_>,
        input: BatchWriteItemInput,
    ) -> Result<Json, Error> {
        let requests = items::required(input.request_items.as_ref(), "requestItems")?;
        if requests.is_empty() {
            return Err(too_few("requestItems"));
        }
        let mode = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        items::item_collection_metrics(input.return_item_collection_metrics.as_deref())?;
        let mut total = 0;
        for (name, writes) in requests {
            table_name(Some(name))?;
            if writes.is_empty() {
                return Err(Error::Validation(
                    "1 validation error detected: Value '[]' at 'requestItems' failed to satisfy \
                     constraint: Map value must satisfy constraint: [Member must have length \
                     less than or equal to 25, Member must have length greater than or equal to 1]"
                        .to_string(),
                ));
            }
            for write in writes {
                match (&write.put_request, &write.delete_request) {
                    (Some(PutRequest { item: Some(_) }), None)
                    | (None, Some(DeleteRequest { key: Some(_) })) => {}
                    _ => {
                        return Err(Error::Validation(
                            "Invalid WriteRequest: exactly one of PutRequest (with an Item) and \
                             DeleteRequest (with a Key) must be given"
                                .into(),
                        ));
                    }
                }
            }
            total += writes.len();
        }
        if total > MAX_WRITES {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value at 'requestItems' failed to satisfy \
                 constraint: Map value must satisfy constraint: [Member must have length less \
                 than or equal to {MAX_WRITES}, Member must have length greater than or equal to 1]"
            )));
        }
        let now = millis(&self.clock);
        let capacity = self
            .kv
            .transact(|tx| {
                let mut capacity = BTreeMap::new();
                for (name, writes) in requests {
                    let table = self.existing_table(tx, scope, name)?;
                    let mut seen = Vec::new();
                    let mut used = Capacity::default();
                    for request in writes {
                        let (key, new) = match (&request.put_request, &request.delete_request) {
                            (Some(PutRequest { item: Some(item) }), _) => {
                                (keys::item(&table, item)?, Some(item))
                            }
                            (_, Some(DeleteRequest { key: Some(key) })) => {
                                (keys::key(&table, key)?, None)
                            }
                            _ => unreachable!("checked above"),
                        };
                        if seen.contains(&key) {
                            return Err(duplicates());
                        }
                        let (hash, range) = key.parts();
                        let stored = store::item_key(table.id, hash, range);
                        let old = match tx.get(&stored)? {
                            Some(bytes) => Some(store::decode_item(&stored, &bytes)?),
                            None => None,
                        };
                        let touched = if old.is_some() || new.is_some() {
                            write(
                                tx,
                                &table,
                                &key,
                                old.as_ref(),
                                new,
                                &Meta {
                                    now_ms: now,
                                    origin: Origin::Request,
                                },
                            )?
                        } else {
                            Vec::new()
                        };
                        used.add(&Capacity::of_write(
                            write_units(old.as_ref(), new),
                            &touched,
                        ));
                        seen.push(key);
                    }
                    capacity.insert(name.clone(), used);
                }
                Ok::<_, Error>(capacity)
            })
            .await?;
        let mut output = json!({ "UnprocessedItems": {} });
        if let Some(consumed) = capacities(&capacity, mode) {
            output["ConsumedCapacity"] = consumed;
        }
        Ok(output)
    }
}
