//! [GetItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html).

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use super::items::{self, Capacity, ReturnCapacity};
use super::{Scope, existing_table, table_name};
use crate::api::GetItemInput;
use crate::expr::{self, Context, Projection};
use crate::item::{Item, size};
use crate::{DynamoDb, Error, keys, store};

/// The projection of a read: `ProjectionExpression`, or the legacy `AttributesToGet`.
pub(crate) fn projection(
    expression: Option<&str>,
    attributes_to_get: Option<&Vec<String>>,
    context: &Context<'_>,
) -> Result<Option<Projection>, Error> {
    match (expression, attributes_to_get) {
        (Some(_), Some(_)) => Err(Error::Validation(
            "Can not use both expression and non-expression parameters in the same request: \
             Non-expression parameters: {AttributesToGet} Expression parameters: \
             {ProjectionExpression}"
                .into(),
        )),
        (Some(text), None) => expr::parse_projection(text, context).map(Some),
        (None, Some(names)) => Ok(Some(attributes_to_get_projection(names)?)),
        (None, None) => Ok(None),
    }
}

/// `AttributesToGet` as a projection of top-level attributes.
fn attributes_to_get_projection(names: &[String]) -> Result<Projection, Error> {
    if names.is_empty() {
        return Err(Error::Validation(
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy \
             constraint: Member must have length greater than or equal to 1"
                .into(),
        ));
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(Error::Validation(format!(
                "One or more parameter values were invalid: Duplicate value in attribute name: {name}"
            )));
        }
    }
    let names: Vec<String> = names.iter().map(|n| format!("#a{n}")).collect();
    let _ = names;
    Err(Error::Validation(
        "AttributesToGet is not supported yet".into(),
    ))
}

/// Applies an optional projection.
pub(crate) fn projected(item: Item, projection: Option<&Projection>) -> Item {
    match projection {
        Some(projection) => projection.apply(&item),
        None => item,
    }
}

impl DynamoDb {
    pub(crate) async fn get_item(
        &self,
        scope: Scope<'_>,
        input: GetItemInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let key_item = items::required(input.key.as_ref(), "key")?;
        let return_capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        let context = Context::new(
            input.expression_attribute_names.as_ref(),
            None::<&HashMap<_, _>>,
        );
        let projection = projection(
            input.projection_expression.as_deref(),
            input.attributes_to_get.as_ref(),
            &context,
        )?;
        context.check_unused()?;
        let consistent = input.consistent_read.unwrap_or(false);
        let found = self
            .kv
            .transact(|tx| {
                let table = existing_table(tx, scope, name)?;
                let key = keys::key(&table, key_item)?;
                let (hash, range) = key.parts();
                let stored = store::item_key(table.id, hash, range);
                match tx.get(&stored)? {
                    Some(bytes) => Ok::<_, Error>(Some(store::decode_item(&stored, &bytes)?)),
                    None => Ok(None),
                }
            })
            .await?;
        let bytes = found.as_ref().map_or(0, size::item_size);
        let capacity = Capacity {
            table: items::read_units(bytes, consistent),
            ..Capacity::default()
        };
        let mut output = json!({});
        if let Some(item) = found {
            output["Item"] = serde_json::to_value(projected(item, projection.as_ref()))
                .expect("items serialize");
        }
        if let Some(consumed) = capacity.json(name, return_capacity) {
            output["ConsumedCapacity"] = consumed;
        }
        Ok(output)
    }
}
