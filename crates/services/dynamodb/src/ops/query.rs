//! [Query](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html).

use unkai_store::KeyRange;

use super::get_item::projection;
use super::items::ReturnCapacity;
use super::read::{self, Plan, Target};
use super::{Scope, table_name};
use crate::api::ReadInput;
use crate::expr::legacy::{self, FilterParameter};
use crate::expr::{self, Context, ExprKind, KeyCondition, RangeCondition};
use crate::item::{ScalarType, Value};
use crate::table::{KeyAttribute, KeySchema};
use crate::{DynamoDb, Error, Output, store};

/// The store range a key condition selects in a table or index partition.
fn key_range(partition: KeyRange, range: Option<&RangeCondition>) -> KeyRange {
    let at = |value: &Value| store::sort_key_prefix(&partition, value);
    let after = |value: &Value| KeyRange::prefix(&at(value)).end;
    match range {
        None => partition,
        Some(RangeCondition::Eq(value)) => KeyRange::prefix(&at(value)),
        Some(RangeCondition::Lt(value)) => KeyRange::new(partition.start.clone(), at(value)),
        Some(RangeCondition::Le(value)) => KeyRange::new(partition.start.clone(), after(value)),
        Some(RangeCondition::Gt(value)) => KeyRange::new(after(value), partition.end.clone()),
        Some(RangeCondition::Ge(value)) => KeyRange::new(at(value), partition.end.clone()),
        Some(RangeCondition::Between(low, high)) => KeyRange::new(at(low), after(high)),
        Some(RangeCondition::BeginsWith(value)) => {
            KeyRange::prefix(&store::sort_key_begins(&partition, value))
        }
    }
}

fn names(attributes: &[KeyAttribute]) -> Vec<&str> {
    attributes.iter().map(|a| a.name.as_str()).collect()
}

fn kinds(attributes: &[KeyAttribute]) -> Vec<ScalarType> {
    attributes.iter().map(|a| a.kind).collect()
}

/// The checks of a sort key condition beyond types: `begins_with` needs a string or binary,
/// `BETWEEN` an ordered pair.
fn check_range(key: &KeySchema, condition: &KeyCondition) -> Result<(), Error> {
    let Some(range) = &condition.range else {
        return Ok(());
    };
    let sort = key.range.get(condition.sort_prefix.len()).map(|a| a.kind);
    if let (RangeCondition::BeginsWith(_), Some(ScalarType::N)) = (range, sort) {
        return Err(Error::Validation(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; \
             operator or function: begins_with, operand type: N"
                .into(),
        ));
    }
    if let RangeCondition::Between(a, b) = range
        && a.compare(b) == Some(std::cmp::Ordering::Greater)
    {
        return Err(Error::Validation(
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be \
                 greater than or equal to lower bound"
                .into(),
        ));
    }
    Ok(())
}

impl DynamoDb {
    pub(crate) async fn query(&self, scope: Scope<'_>, input: ReadInput) -> Result<Output, Error> {
        let name = table_name(input.table_name.as_deref())?;
        expr::check_parameters(
            expr::Operation::Query,
            &expr::Parameters {
                key_condition_expression: input.key_condition_expression.is_some(),
                filter_expression: input.filter_expression.is_some(),
                projection_expression: input.projection_expression.is_some(),
                key_conditions: input.key_conditions.is_some(),
                query_filter: input.query_filter.is_some(),
                attributes_to_get: input.attributes_to_get.is_some(),
                conditional_operator: input.conditional_operator.is_some(),
                expression_attribute_names: input.expression_attribute_names.is_some(),
                expression_attribute_values: input.expression_attribute_values.is_some(),
                ..Default::default()
            },
        )?;
        if input.key_condition_expression.is_none() && input.key_conditions.is_none() {
            return Err(Error::Validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified \
                 in the request."
                    .into(),
            ));
        }
        let limit = read::limit(input.limit)?;
        let capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        let consistent = input.consistent_read.unwrap_or(false);
        let forward = input.scan_index_forward.unwrap_or(true);
        self.kv
            .transact(|tx| {
                let table = self.existing_table(tx, scope, name)?;
                let index = match input.index_name.as_deref() {
                    Some(index_name) => Some(table.index(index_name).ok_or_else(|| {
                        Error::Validation(format!(
                            "The table does not have the specified index: {index_name}"
                        ))
                    })?),
                    None => None,
                };
                if consistent && index.is_some_and(|(_, global)| global) {
                    return Err(Error::Validation(
                        "Consistent reads are not supported on global secondary indexes".into(),
                    ));
                }
                let target = Target {
                    table: &table,
                    index,
                };
                let key = index.map_or(&table.key, |(index, _)| &index.key);
                let context = Context::new(
                    input.expression_attribute_names.as_ref(),
                    input.expression_attribute_values.as_ref(),
                );
                let parsed = input
                    .key_condition_expression
                    .as_deref()
                    .map(|text| expr::parse_key_condition(text, &context))
                    .transpose()?;
                let filter = match &input.filter_expression {
                    Some(text) => Some(expr::parse_condition(text, ExprKind::Filter, &context)?),
                    None => legacy::filter(
                        input.query_filter.as_ref(),
                        input.conditional_operator.as_deref(),
                        FilterParameter::QueryFilter,
                    )?,
                };
                let projection = projection(
                    input.projection_expression.as_deref(),
                    input.attributes_to_get.as_ref(),
                    &context,
                )?;
                context.check_unused()?;
                let (hash_names, range_names) = (names(&key.hash), names(&key.range));
                let condition = match (&parsed, &input.key_conditions) {
                    (Some(parsed), _) => parsed.key_condition(&hash_names, &range_names)?,
                    (None, Some(conditions)) => {
                        legacy::key_conditions(conditions, &hash_names, &range_names)?
                    }
                    (None, None) => unreachable!("checked above"),
                };
                condition.check_types(&kinds(&key.hash), &kinds(&key.range))?;
                check_range(key, &condition)?;
                if let Some(filter) = &filter {
                    let keys: Vec<&str> = key.attributes().map(|a| a.name.as_str()).collect();
                    filter.check_filter_keys(&keys)?;
                }
                let select = read::select(&input, &target, projection.as_ref())?;
                let mut partition = match index {
                    Some((index, _)) => {
                        let hash: Vec<&Value> = condition.hash.iter().collect();
                        store::index_partition(table.id, index.number, &hash)
                    }
                    None => store::partition(table.id, &condition.hash[0]),
                };
                for value in &condition.sort_prefix {
                    partition = KeyRange::prefix(&store::sort_key_prefix(&partition, value));
                }
                let range = key_range(partition, condition.range.as_ref());
                if let Some(start) = &input.exclusive_start_key
                    && index.is_none()
                    && table.key.sort().is_none()
                {
                    // A partition of a table without sort key is one item: there is nothing
                    // to start after.
                    return Err(Error::Validation(format!(
                        "The provided exclusive start key is invalid: ExclusiveStartKey: {}",
                        read::describe_key(start)
                    )));
                }
                let start = input
                    .exclusive_start_key
                    .as_ref()
                    .map(|start| target.start_key(start))
                    .transpose()?;
                if start.as_ref().is_some_and(|start| !range.contains(start)) {
                    return Err(Error::Validation(
                        "The provided starting key is outside query boundaries based on \
                         provided conditions"
                            .into(),
                    ));
                }
                let plan = Plan {
                    target,
                    select,
                    projection: projection.as_ref(),
                    filter: filter.as_ref(),
                    limit,
                    consistent,
                    forward,
                    capacity,
                };
                read::page(tx, &plan, range, start)
            })
            .await
    }
}
