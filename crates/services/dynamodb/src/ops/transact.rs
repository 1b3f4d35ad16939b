//! [TransactWriteItems](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html)
//! and [TransactGetItems](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html):
//! one store transaction each, all-or-nothing, with `ClientRequestToken` idempotency for ten
//! minutes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use unkai_store::record::{self, Record};
use unkai_store::{Space, tuple};

use super::get_item::{projected, projection};
use super::items::{self, Capacity, ReturnCapacity, read_units, write_units};
use super::{Scope, millis, table_name};
use crate::error::CancellationReason;
use crate::expr::{self, Condition, Context, ExprKind, Projection, Update};
use crate::item::{Item, Value, size};
use crate::keys::{self, PrimaryKey};
use crate::table::Table;
use crate::write::{Meta, Origin, write};
use crate::{DynamoDb, Error, store};

/// Most actions in one transaction.
const MAX_ACTIONS: usize = 100;
/// Most bytes of items, keys and values one TransactWriteItems carries.
const MAX_PAYLOAD_BYTES: usize = 4 << 20;
/// How long a client request token is remembered.
const TOKEN_TTL_MS: u64 = 10 * 60 * 1000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Action {
    table_name: Option<String>,
    key: Option<Item>,
    item: Option<Item>,
    condition_expression: Option<String>,
    update_expression: Option<String>,
    expression_attribute_names: Option<HashMap<String, String>>,
    expression_attribute_values: Option<HashMap<String, Value>>,
    return_values_on_condition_check_failure: Option<String>,
    projection_expression: Option<String>,
}

/// The cancellation of a transaction one of whose items is invalid: the reasons so far, a
/// `ValidationError` for that item, and `None` for the actions not reached.
fn invalid_item(mut reasons: Vec<CancellationReason>, message: String, actions: usize) -> Error {
    reasons.push(CancellationReason {
        code: "ValidationError",
        message: Some(message),
        item: None,
    });
    while reasons.len() < actions {
        reasons.push(CancellationReason {
            code: "None",
            message: None,
            item: None,
        });
    }
    Error::TransactionCanceled { reasons }
}

impl Action {
    /// What the action adds to the transaction's payload, by DynamoDB's size rules: the items,
    /// keys and values it carries (a Delete of a large item carries only its key).
    fn payload_size(&self) -> usize {
        let items = [&self.key, &self.item].into_iter().flatten();
        items.map(size::item_size).sum::<usize>()
            + self
                .expression_attribute_values
                .iter()
                .flatten()
                .map(|(name, value)| name.len() + size::value_size(value))
                .sum::<usize>()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TransactWriteItem {
    condition_check: Option<Action>,
    put: Option<Action>,
    delete: Option<Action>,
    update: Option<Action>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TransactWriteItemsInput {
    transact_items: Option<Vec<TransactWriteItem>>,
    client_request_token: Option<String>,
    return_consumed_capacity: Option<String>,
    return_item_collection_metrics: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TransactGetItem {
    get: Option<Action>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TransactGetItemsInput {
    transact_items: Option<Vec<TransactGetItem>>,
    return_consumed_capacity: Option<String>,
}

/// A remembered `ClientRequestToken`.
#[derive(Debug, Serialize, Deserialize)]
struct Token {
    fingerprint: u128,
    until_ms: u64,
}

impl Record for Token {
    const VERSION: u8 = 1;
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Check,
    Put,
    Delete,
    Update,
}

/// An action ready to apply, once every condition passed.
struct Planned {
    table: String,
    key: PrimaryKey,
    old: Option<Item>,
    new: Option<Item>,
    kind: Kind,
}

/// An action with its expressions parsed.
struct Prepared<'a> {
    kind: Kind,
    action: &'a Action,
    condition: Option<Condition>,
    update: Option<Update>,
    old_on_failure: bool,
}

fn prepare(action: &Action, kind: Kind) -> Result<Prepared<'_>, Error> {
    table_name(action.table_name.as_deref())?;
    let operation = match kind {
        Kind::Check => expr::Operation::ConditionCheck,
        Kind::Put => expr::Operation::PutItem,
        Kind::Delete => expr::Operation::DeleteItem,
        Kind::Update => expr::Operation::UpdateItem,
    };
    expr::check_parameters(
        operation,
        &expr::Parameters {
            update_expression: action.update_expression.is_some(),
            condition_expression: action.condition_expression.is_some(),
            expression_attribute_names: action.expression_attribute_names.is_some(),
            expression_attribute_values: action.expression_attribute_values.is_some(),
            ..Default::default()
        },
    )?;
    let context = Context::new(
        action.expression_attribute_names.as_ref(),
        action.expression_attribute_values.as_ref(),
    );
    let condition = action
        .condition_expression
        .as_deref()
        .map(|text| expr::parse_condition(text, ExprKind::Condition, &context))
        .transpose()?;
    if kind == Kind::Check && condition.is_none() {
        return Err(Error::Validation(
            "1 validation error detected: Value null at 'transactItems.member.conditionCheck.conditionExpression' \
             failed to satisfy constraint: Member must not be null"
                .into(),
        ));
    }
    let update = match kind {
        Kind::Update => Some(expr::parse_update(
            items::required(action.update_expression.as_deref(), "updateExpression")?,
            &context,
        )?),
        _ => None,
    };
    context.check_unused()?;
    Ok(Prepared {
        kind,
        action,
        condition,
        update,
        old_on_failure: items::old_on_failure(
            action.return_values_on_condition_check_failure.as_deref(),
        )?,
    })
}

fn token_key(scope: Scope<'_>, token: &str) -> Vec<u8> {
    tuple::key(Space::DynamoDb)
        .str("token")
        .str(scope.account)
        .str(scope.region)
        .str(token)
        .finish()
}

impl DynamoDb {
    pub(crate) async fn transact_write_items(
        &self,
        scope: Scope<'_>,
        body: &[u8],
    ) -> Result<Json, Error> {
        let raw: Json = crate::decode(body)?;
        let fingerprint = xxhash_rust::xxh3::xxh3_128(
            raw.get("TransactItems")
                .map(Json::to_string)
                .unwrap_or_default()
                .as_bytes(),
        );
        let input: TransactWriteItemsInput = crate::decode_value(raw)?;
        let actions = items::required(input.transact_items.as_ref(), "transactItems")?;
        if actions.is_empty() || actions.len() > MAX_ACTIONS {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value at 'transactItems' failed to satisfy \
                 constraint: Member must have length less than or equal to {MAX_ACTIONS} and \
                 greater than or equal to 1"
            )));
        }
        let mode = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        items::item_collection_metrics(input.return_item_collection_metrics.as_deref())?;
        if let Some(token) = &input.client_request_token
            && (token.is_empty() || token.len() > 36)
        {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{token}' at 'clientRequestToken' failed \
                     to satisfy constraint: Member must have length less than or equal to 36"
            )));
        }
        let mut prepared = Vec::with_capacity(actions.len());
        let mut payload = 0;
        for item in actions {
            let parts = [
                item.condition_check.as_ref().map(|a| (a, Kind::Check)),
                item.put.as_ref().map(|a| (a, Kind::Put)),
                item.delete.as_ref().map(|a| (a, Kind::Delete)),
                item.update.as_ref().map(|a| (a, Kind::Update)),
            ];
            let chosen: Vec<_> = parts.into_iter().flatten().collect();
            let [(action, kind)] = chosen.as_slice() else {
                return Err(Error::Validation(
                    "TransactItems can only contain one of Check, Put, Update or Delete".into(),
                ));
            };
            prepared.push(prepare(action, *kind)?);
            payload += action.payload_size();
        }
        if payload > MAX_PAYLOAD_BYTES {
            return Err(Error::Validation(
                "Transaction request payload size cannot exceed 4 MB".into(),
            ));
        }
        let now = millis(&self.clock);
        let capacity = self
            .kv
            .transact(|tx| {
                if let Some(token) = &input.client_request_token {
                    let key = token_key(scope, token);
                    if let Some(bytes) = tx.get(&key)? {
                        let seen: Token = record::decode(&key, &bytes)?;
                        if seen.until_ms > now {
                            if seen.fingerprint != fingerprint {
                                return Err(Error::IdempotentParameterMismatch(
                                    "The request uses the same client token as a previous, but \
                                     non-identical request."
                                        .into(),
                                ));
                            }
                            return Ok(BTreeMap::new());
                        }
                    }
                    tx.set(key, record::encode(&Token { fingerprint, until_ms: now + TOKEN_TTL_MS }));
                }
                let mut tables: HashMap<String, Arc<Table>> = HashMap::new();
                let mut planned: Vec<Planned> = Vec::new();
                let mut reasons = Vec::with_capacity(prepared.len());
                let mut failed = false;
                for step in &prepared {
                    let name = step.action.table_name.clone().unwrap_or_default();
                    if !tables.contains_key(&name) {
                        let table = self.existing_table(tx, scope, &name)?;
                        tables.insert(name.clone(), table);
                    }
                    let table = &tables[&name];
                    let key = match step.kind {
                        Kind::Put => keys::item(table, items::required(step.action.item.as_ref(), "item")?),
                        _ => keys::key(table, items::required(step.action.key.as_ref(), "key")?),
                    };
                    let key = match key {
                        Err(Error::Validation(message)) => {
                            return Err(invalid_item(reasons, message, prepared.len()));
                        }
                        other => other?,
                    };
                    if planned.iter().any(|p| p.table == name && p.key == key) {
                        return Err(Error::Validation(
                            "Transaction request cannot include multiple operations on one item".into(),
                        ));
                    }
                    let (hash, range) = key.parts();
                    let stored = store::item_key(table.id, hash, range);
                    let old = match tx.get(&stored)? {
                        Some(bytes) => Some(store::decode_item(&stored, &bytes)?),
                        None => None,
                    };
                    let passed = step.condition.as_ref().is_none_or(|c| c.evaluate(old.as_ref()));
                    if !passed {
                        failed = true;
                        reasons.push(CancellationReason {
                            code: "ConditionalCheckFailed",
                            message: Some("The conditional request failed".into()),
                            item: old.clone().filter(|_| step.old_on_failure),
                        });
                    } else {
                        reasons.push(CancellationReason { code: "None", message: None, item: None });
                    }
                    let new = match step.kind {
                        Kind::Check => old.clone(),
                        Kind::Put => step.action.item.clone(),
                        Kind::Delete => None,
                        Kind::Update => {
                            let update = step.update.as_ref().expect("updates are parsed");
                            if let Some(attribute) = update.top_level_attributes().find(|a| table.key.contains(a)) {
                                return Err(Error::invalid_parameter(format!(
                                    "Cannot update attribute {attribute}. This attribute is part of the key"
                                )));
                            }
                            let mut new = old.clone().unwrap_or_else(|| key.to_item(&table.key));
                            if passed {
                                let applied = update.apply(&mut new, old.is_some()).and_then(|()| {
                                    keys::check_document(&new)?;
                                    table
                                        .global_indexes
                                        .iter()
                                        .chain(&table.local_indexes)
                                        .try_for_each(|index| keys::check_index_key(index, &new))
                                });
                                if let Err(Error::Validation(message)) = applied {
                                    reasons.pop();
                                    return Err(invalid_item(reasons, message, prepared.len()));
                                }
                                applied?;
                            }
                            Some(new)
                        }
                    };
                    planned.push(Planned { table: name, key, old, new, kind: step.kind });
                }
                if failed {
                    return Err(Error::TransactionCanceled { reasons });
                }
                let mut capacity: BTreeMap<String, Capacity> = BTreeMap::new();
                for Planned { table: name, key, old, new, kind } in &planned {
                    let table = &tables[name];
                    let touched = if *kind == Kind::Check || (old.is_none() && new.is_none()) {
                        Vec::new()
                    } else {
                        write(tx, table, key, old.as_ref(), new.as_ref(), &Meta { now_ms: now, origin: Origin::Request })?
                    };
                    let units = 2.0 * write_units(old.as_ref(), new.as_ref());
                    capacity.entry(name.clone()).or_default().add(&Capacity::of_write(units, &touched));
                }
                Ok(capacity)
            })
            .await?;
        let mut output = json!({});
        if mode != ReturnCapacity::None {
            output["ConsumedCapacity"] = capacity
                .iter()
                .filter_map(|(name, c)| c.json(name, mode))
                .collect::<Vec<_>>()
                .into();
        }
        Ok(output)
    }

    pub(crate) async fn transact_get_items(
        &self,
        scope: Scope<'_>,
        input: TransactGetItemsInput,
    ) -> Result<Json, Error> {
        let actions = items::required(input.transact_items.as_ref(), "transactItems")?;
        if actions.is_empty() || actions.len() > MAX_ACTIONS {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value at 'transactItems' failed to satisfy \
                 constraint: Member must have length less than or equal to {MAX_ACTIONS} and \
                 greater than or equal to 1"
            )));
        }
        let mode = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        let mut gets: Vec<(&Action, Option<Projection>)> = Vec::with_capacity(actions.len());
        for item in actions {
            let get = items::required(item.get.as_ref(), "transactItems.member.get")?;
            table_name(get.table_name.as_deref())?;
            expr::check_parameters(
                expr::Operation::BatchGetItem,
                &expr::Parameters {
                    projection_expression: get.projection_expression.is_some(),
                    expression_attribute_names: get.expression_attribute_names.is_some(),
                    ..Default::default()
                },
            )?;
            let context = Context::new(get.expression_attribute_names.as_ref(), None);
            let projection = projection(get.projection_expression.as_deref(), None, &context)?;
            context.check_unused()?;
            gets.push((get, projection));
        }
        let (responses, capacity) = self
            .kv
            .transact(|tx| {
                let mut responses = Vec::with_capacity(gets.len());
                let mut capacity: BTreeMap<String, Capacity> = BTreeMap::new();
                for (get, projection) in &gets {
                    let name = get.table_name.clone().unwrap_or_default();
                    let table = self.existing_table(tx, scope, &name)?;
                    let key = keys::key(&table, items::required(get.key.as_ref(), "key")?)?;
                    let (hash, range) = key.parts();
                    let stored = store::item_key(table.id, hash, range);
                    let found = match tx.get(&stored)? {
                        Some(bytes) => Some(store::decode_item(&stored, &bytes)?),
                        None => None,
                    };
                    let units = 2.0 * read_units(found.as_ref().map_or(0, size::item_size), true);
                    capacity.entry(name).or_default().table += units;
                    responses.push(match found {
                        Some(item) => json!({"Item": projected(item, projection.as_ref())}),
                        None => json!({}),
                    });
                }
                Ok::<_, Error>((responses, capacity))
            })
            .await?;
        let mut output = json!({ "Responses": responses });
        if mode != ReturnCapacity::None {
            output["ConsumedCapacity"] = capacity
                .iter()
                .filter_map(|(name, c)| c.json(name, mode))
                .collect::<Vec<_>>()
                .into();
        }
        Ok(output)
    }
}
