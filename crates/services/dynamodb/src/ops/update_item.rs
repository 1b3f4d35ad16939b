//! [UpdateItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html).

use serde_json::{Value as Json, json};

use super::items::{self, Capacity, ReturnCapacity, ReturnValues};
use super::{Scope, existing_table, millis, table_name};
use crate::api::UpdateItemInput;
use crate::expr::{self, Context};
use crate::item::Item;
use crate::write::{Meta, Origin, write};
use crate::{DynamoDb, Error, keys, store};

impl DynamoDb {
    pub(crate) async fn update_item(
        &self,
        scope: Scope<'_>,
        input: UpdateItemInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let key_item = items::required(input.key.as_ref(), "key")?;
        let return_values = ReturnValues::parse(
            input.return_values.as_deref(),
            &[
                ReturnValues::None,
                ReturnValues::AllOld,
                ReturnValues::UpdatedOld,
                ReturnValues::AllNew,
                ReturnValues::UpdatedNew,
            ],
        )?;
        let return_capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        items::item_collection_metrics(input.return_item_collection_metrics.as_deref())?;
        let old_on_failure =
            items::old_on_failure(input.return_values_on_condition_check_failure.as_deref())?;
        let context = Context::new(
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        );
        if input.update_expression.is_some() && input.attribute_updates.is_some() {
            return Err(Error::Validation(
                "Can not use both expression and non-expression parameters in the same request: \
                 Non-expression parameters: {AttributeUpdates} Expression parameters: \
                 {UpdateExpression}"
                    .into(),
            ));
        }
        if input.attribute_updates.is_some() {
            return Err(Error::Validation(
                "the legacy AttributeUpdates parameter is not supported yet".into(),
            ));
        }
        let update = input
            .update_expression
            .as_deref()
            .map(|text| expr::parse_update(text, &context))
            .transpose()?;
        let condition = items::condition(
            input.condition_expression.as_deref(),
            input.expected.as_ref(),
            input.conditional_operator.as_deref(),
            &context,
        )?;
        context.check_unused()?;
        let now = millis(&self.clock);
        let (old, new, changed, capacity) = self
            .kv
            .transact(|tx| {
                let table = existing_table(tx, scope, name)?;
                let key = keys::key(&table, key_item)?;
                if let Some(update) = &update
                    && let Some(attribute) = update
                        .top_level_attributes()
                        .find(|a| table.key.contains(a))
                {
                    return Err(Error::invalid_parameter(format!(
                        "Cannot update attribute {attribute}. This attribute is part of the key"
                    )));
                }
                let (hash, range) = key.parts();
                let stored = store::item_key(table.id, hash, range);
                let old = match tx.get(&stored)? {
                    Some(bytes) => Some(store::decode_item(&stored, &bytes)?),
                    None => None,
                };
                if let Some(condition) = &condition
                    && !condition.evaluate(old.as_ref())
                {
                    return Err(Error::ConditionalCheckFailed {
                        item: old.filter(|_| old_on_failure),
                    });
                }
                let mut new = old.clone().unwrap_or_else(|| key.to_item(&table.key));
                if let Some(update) = &update {
                    update.apply(&mut new)?;
                }
                keys::check_document(&new)?;
                for index in table.global_indexes.iter().chain(&table.local_indexes) {
                    keys::check_index_key(index, &new)?;
                }
                let changed: Vec<String> = changed_attributes(old.as_ref(), &new);
                let touched = write(
                    tx,
                    &table,
                    &key,
                    old.as_ref(),
                    Some(&new),
                    &Meta {
                        now_ms: now,
                        origin: Origin::Request,
                    },
                )?;
                let capacity =
                    Capacity::of_write(items::write_units(old.as_ref(), Some(&new)), &touched);
                Ok((old, new, changed, capacity))
            })
            .await?;
        let attributes: Option<Item> = match return_values {
            ReturnValues::None => None,
            ReturnValues::AllOld => old,
            ReturnValues::AllNew => Some(new),
            ReturnValues::UpdatedOld => old.map(|old| items::only(&old, &changed)),
            ReturnValues::UpdatedNew => Some(items::only(&new, &changed)),
        };
        let mut output = json!({});
        if let Some(attributes) = attributes.filter(|a| !a.is_empty()) {
            output["Attributes"] = serde_json::to_value(attributes).expect("items serialize");
        }
        if let Some(consumed) = capacity.json(name, return_capacity) {
            output["ConsumedCapacity"] = consumed;
        }
        Ok(output)
    }
}

/// The top-level attributes whose values differ between `old` and `new`.
fn changed_attributes(old: Option<&Item>, new: &Item) -> Vec<String> {
    let mut names: Vec<String> = new
        .iter()
        .filter(|(name, value)| old.and_then(|o| o.get(*name)) != Some(*value))
        .map(|(name, _)| name.clone())
        .collect();
    if let Some(old) = old {
        names.extend(old.keys().filter(|name| !new.contains_key(*name)).cloned());
    }
    names
}
