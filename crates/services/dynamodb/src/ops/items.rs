//! What the item operations share: return values, consumed capacity, conditions.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value as Json, json};

use crate::Error;
use crate::expr::legacy::{self, ExpectedAttributeValue};
use crate::expr::{self, Condition, Context, ExprKind};
use crate::item::{Item, size};

/// `ReturnValues`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReturnValues {
    None,
    AllOld,
    UpdatedOld,
    AllNew,
    UpdatedNew,
}

impl ReturnValues {
    /// Parses `ReturnValues` for an operation that allows `allowed`.
    pub fn parse(value: Option<&str>, allowed: &[ReturnValues]) -> Result<Self, Error> {
        let parsed = match value {
            None | Some("NONE") => ReturnValues::None,
            Some("ALL_OLD") => ReturnValues::AllOld,
            Some("UPDATED_OLD") => ReturnValues::UpdatedOld,
            Some("ALL_NEW") => ReturnValues::AllNew,
            Some("UPDATED_NEW") => ReturnValues::UpdatedNew,
            Some(other) => {
                return Err(Error::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'returnValues' failed to \
                     satisfy constraint: Member must satisfy enum value set: [ALL_NEW, \
                     UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
                )));
            }
        };
        if !allowed.contains(&parsed) {
            return Err(Error::Validation(
                "Return values set to invalid value".into(),
            ));
        }
        Ok(parsed)
    }
}

/// `ReturnValuesOnConditionCheckFailure`: whether to return the old item.
pub(crate) fn old_on_failure(value: Option<&str>) -> Result<bool, Error> {
    match value {
        None | Some("NONE") => Ok(false),
        Some("ALL_OLD") => Ok(true),
        Some(other) => Err(Error::Validation(format!(
            "1 validation error detected: Value '{other}' at \
             'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must \
             satisfy enum value set: [ALL_OLD, NONE]"
        ))),
    }
}

/// `ReturnConsumedCapacity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReturnCapacity {
    None,
    Total,
    Indexes,
}

impl ReturnCapacity {
    pub fn parse(value: Option<&str>) -> Result<Self, Error> {
        match value {
            None | Some("NONE") => Ok(ReturnCapacity::None),
            Some("TOTAL") => Ok(ReturnCapacity::Total),
            Some("INDEXES") => Ok(ReturnCapacity::Indexes),
            Some(other) => Err(Error::Validation(format!(
                "1 validation error detected: Value '{other}' at 'returnConsumedCapacity' failed \
                 to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
            ))),
        }
    }
}

/// `ReturnItemCollectionMetrics`: accepted and checked; unkai reports none.
pub(crate) fn item_collection_metrics(value: Option<&str>) -> Result<(), Error> {
    match value {
        None | Some("NONE") | Some("SIZE") => Ok(()),
        Some(other) => Err(Error::Validation(format!(
            "1 validation error detected: Value '{other}' at 'returnItemCollectionMetrics' failed \
             to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]"
        ))),
    }
}

/// Capacity units consumed by a request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Capacity {
    pub table: f64,
    pub global: BTreeMap<String, f64>,
    pub local: BTreeMap<String, f64>,
}

/// Write units for a change from `old` to `new`: one per KB of the larger, at least one.
pub(crate) fn write_units(old: Option<&Item>, new: Option<&Item>) -> f64 {
    let bytes = old
        .map_or(0, size::item_size)
        .max(new.map_or(0, size::item_size));
    bytes.div_ceil(1024).max(1) as f64
}

/// Read units for `bytes` read: one per 4 KB, at least one; half for eventual consistency.
pub(crate) fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

impl Capacity {
    /// A write's capacity: the table's units, and the same for each index whose entries changed.
    pub fn of_write(units: f64, touched: &[(String, bool)]) -> Self {
        let mut capacity = Capacity {
            table: units,
            ..Capacity::default()
        };
        for (index, global) in touched {
            let map = if *global {
                &mut capacity.global
            } else {
                &mut capacity.local
            };
            *map.entry(index.clone()).or_default() += units;
        }
        capacity
    }

    /// Adds another request's capacity (batches).
    pub fn add(&mut self, other: &Capacity) {
        self.table += other.table;
        for (name, units) in &other.global {
            *self.global.entry(name.clone()).or_default() += units;
        }
        for (name, units) in &other.local {
            *self.local.entry(name.clone()).or_default() += units;
        }
    }

    /// The `ConsumedCapacity` member, as asked for.
    pub fn json(&self, table: &str, mode: ReturnCapacity) -> Option<Json> {
        let total =
            self.table + self.global.values().sum::<f64>() + self.local.values().sum::<f64>();
        match mode {
            ReturnCapacity::None => None,
            ReturnCapacity::Total => Some(json!({"TableName": table, "CapacityUnits": total})),
            ReturnCapacity::Indexes => {
                let mut out = json!({
                    "TableName": table,
                    "CapacityUnits": total,
                    "Table": {"CapacityUnits": self.table},
                });
                let units = |map: &BTreeMap<String, f64>| -> Json {
                    map.iter()
                        .map(|(name, units)| (name.clone(), json!({"CapacityUnits": units})))
                        .collect::<serde_json::Map<_, _>>()
                        .into()
                };
                if !self.global.is_empty() {
                    out["GlobalSecondaryIndexes"] = units(&self.global);
                }
                if !self.local.is_empty() {
                    out["LocalSecondaryIndexes"] = units(&self.local);
                }
                Some(out)
            }
        }
    }
}

/// The condition of a write: `ConditionExpression`, or the legacy `Expected` with
/// `ConditionalOperator` (the parameter rules were checked before).
pub(crate) fn condition(
    expression: Option<&str>,
    expected: Option<&HashMap<String, ExpectedAttributeValue>>,
    conditional_operator: Option<&str>,
    context: &Context<'_>,
) -> Result<Option<Condition>, Error> {
    match expression {
        Some(text) => expr::parse_condition(text, ExprKind::Condition, context).map(Some),
        None => legacy::expected(expected, conditional_operator),
    }
}

/// A required member.
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, Error> {
    value.ok_or_else(|| {
        Error::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy \
             constraint: Member must not be null"
        ))
    })
}
