//! [CreateTable](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html).
//! Deviations: the table answers `CREATING` and is `ACTIVE` as soon as the call returns;
//! `SSESpecification`, `OnDemandThroughput` and warm throughput are accepted and ignored.

use serde_json::{Value as Json, json};

use super::{Scope, millis, table_name};
use crate::api::{
    AttributeDefinition, CreateTableInput, IndexInput, KeySchemaElement, ProjectionInput,
    StreamSpecification, Tag, ThroughputInput, Violations, table_description,
};
use crate::item::ScalarType;
use crate::table::{
    Billing, Index, IndexStatus, KeyAttribute, KeySchema, Projection, Stream, StreamView, Table,
    Throughput,
};
use crate::{DynamoDb, Error, store};

/// Most global secondary indexes a table may have.
const MAX_GLOBAL_INDEXES: usize = 20;
/// Most local secondary indexes a table may have.
const MAX_LOCAL_INDEXES: usize = 5;
/// Most non-key attributes projected into all of a table's indexes.
const MAX_PROJECTED: usize = 100;

/// Most partition key attributes, and most sort key attributes, of a global index's
/// multi-attribute key.
const MAX_COMPOSITE: usize = 4;

/// Parses a key schema against the declared attributes. Only a global index (`composite`) may
/// have a multi-attribute key: up to four `HASH` elements followed by up to four `RANGE`
/// elements.
pub(crate) fn key_schema(
    elements: Option<&[KeySchemaElement]>,
    attributes: &[KeyAttribute],
    member: &str,
    composite: bool,
) -> Result<KeySchema, Error> {
    let Some(elements) = elements.filter(|e| !e.is_empty()) else {
        let mut violations = Violations::default();
        violations.add(None, member, "not be null");
        violations.finish()?;
        unreachable!("a missing key schema is a violation");
    };
    let most = if composite { 2 * MAX_COMPOSITE } else { 2 };
    if elements.len() > most {
        let mut violations = Violations::default();
        violations.add(
            Some(&format!("{elements:?}")),
            member,
            &format!("have length less than or equal to {most}"),
        );
        violations.finish()?;
    }
    let mut key = KeySchema {
        hash: Vec::new(),
        range: Vec::new(),
    };
    for (position, element) in elements.iter().enumerate() {
        let name = element.attribute_name.clone().unwrap_or_default();
        if name.is_empty() || name.len() > 255 {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{name}' at '{member}.{}.member.attributeName' \
                 failed to satisfy constraint: Member must have length between 1 and 255",
                position + 1
            )));
        }
        let kind = attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.kind)
            .ok_or_else(|| {
                Error::invalid_parameter(format!(
                    "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], \
                     AttributeDefinitions: [{}]",
                    elements
                        .iter()
                        .filter_map(|e| e.attribute_name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                    attributes.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join(", ")
                ))
            })?;
        if key.contains(&name) {
            return Err(Error::invalid_parameter(if composite {
                format!("Invalid KeySchema: Two KeySchemaElements have the same name: {name}")
            } else {
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                    .into()
            }));
        }
        let attribute = KeyAttribute { name, kind };
        match element.key_type.as_deref() {
            Some("HASH") if position == 0 => key.hash.push(attribute),
            Some("RANGE") if position == 1 && !composite => key.range.push(attribute),
            Some("HASH") if composite && key.range.is_empty() => key.hash.push(attribute),
            Some("RANGE") if composite && position > 0 => key.range.push(attribute),
            Some("HASH") if composite => {
                return Err(Error::Validation(
                    "Invalid KeySchema: All HASH KeySchemaElements must precede the RANGE \
                     KeySchemaElements"
                        .into(),
                ));
            }
            Some("HASH") => {
                return Err(Error::Validation(
                    "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type".into(),
                ));
            }
            Some("RANGE") => {
                return Err(Error::Validation(
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".into(),
                ));
            }
            other => {
                return Err(Error::Validation(format!(
                    "1 validation error detected: Value '{}' at '{member}.{}.member.keyType' \
                     failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
                    other.unwrap_or("null"),
                    position + 1
                )));
            }
        }
    }
    for (count, kind) in [(key.hash.len(), "HASH"), (key.range.len(), "RANGE")] {
        if count > MAX_COMPOSITE {
            return Err(Error::Validation(format!(
                "Invalid KeySchema: A global secondary index key can have at most \
                 {MAX_COMPOSITE} {kind} KeySchemaElements, not {count}"
            )));
        }
    }
    Ok(key)
}

/// Parses attribute definitions.
pub(crate) fn attribute_definitions(
    definitions: Option<&[AttributeDefinition]>,
) -> Result<Vec<KeyAttribute>, Error> {
    let Some(definitions) = definitions else {
        let mut violations = Violations::default();
        violations.add(None, "attributeDefinitions", "not be null");
        violations.finish()?;
        unreachable!("missing attribute definitions are a violation");
    };
    let mut attributes: Vec<KeyAttribute> = Vec::with_capacity(definitions.len());
    let mut violations = Violations::default();
    for (n, definition) in definitions.iter().enumerate() {
        let member = format!("attributeDefinitions.{}.member", n + 1);
        let name = definition.attribute_name.as_deref();
        match name {
            None => violations.add(None, &format!("{member}.attributeName"), "not be null"),
            Some(name) if name.is_empty() || name.len() > 255 => violations.add(
                Some(name),
                &format!("{member}.attributeName"),
                "have length between 1 and 255",
            ),
            _ => {}
        }
        let kind = definition.attribute_type.as_deref();
        let parsed = kind.and_then(ScalarType::parse);
        if parsed.is_none() {
            violations.add(
                kind,
                &format!("{member}.attributeType"),
                "satisfy enum value set: [B, N, S]",
            );
        }
        if let (Some(name), Some(kind)) = (name, parsed) {
            if attributes.iter().any(|a| a.name == name) {
                return Err(Error::invalid_parameter(format!(
                    "Duplicate AttributeName in AttributeDefinitions: {name}"
                )));
            }
            attributes.push(KeyAttribute {
                name: name.to_string(),
                kind,
            });
        }
    }
    violations.finish()?;
    Ok(attributes)
}

/// Parses a projection.
pub(crate) fn projection(
    input: Option<&ProjectionInput>,
    index: &str,
) -> Result<Projection, Error> {
    let Some(input) = input else {
        return Err(Error::Validation(format!(
            "1 validation error detected: Value null at 'projection' failed to satisfy \
             constraint: Member must not be null (index {index})"
        )));
    };
    let non_key = input.non_key_attributes.as_ref();
    match input.projection_type.as_deref() {
        Some("ALL") | Some("KEYS_ONLY") if non_key.is_some() => {
            Err(Error::invalid_parameter(format!(
                "ProjectionType is {}, but NonKeyAttributes is specified",
                input.projection_type.as_deref().unwrap_or_default()
            )))
        }
        Some("ALL") => Ok(Projection::All),
        Some("KEYS_ONLY") => Ok(Projection::KeysOnly),
        Some("INCLUDE") => match non_key.filter(|names| !names.is_empty()) {
            Some(names) => {
                for (position, name) in names.iter().enumerate() {
                    if name.is_empty() || name.len() > 255 {
                        return Err(Error::Validation(format!(
                            "1 validation error detected: Value '{name}' at \
                             'projection.nonKeyAttributes.{}.member' failed to satisfy \
                             constraint: Member must have length between 1 and 255",
                            position + 1
                        )));
                    }
                    if names[..position].contains(name) {
                        return Err(Error::invalid_parameter(format!(
                            "Duplicate attribute in NonKeyAttributes of index {index}: {name}"
                        )));
                    }
                }
                Ok(Projection::Include(names.clone()))
            }
            None => Err(Error::invalid_parameter(
                "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
            )),
        },
        None => Err(Error::invalid_parameter(format!(
            "Unknown ProjectionType: null for index {index}"
        ))),
        Some(other) => Err(Error::Validation(format!(
            "1 validation error detected: Value '{other}' at 'projection.projectionType' failed \
             to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"
        ))),
    }
}

/// Parses provisioned throughput for a billing mode.
pub(crate) fn throughput(
    billing: Billing,
    input: Option<&ThroughputInput>,
    what: &str,
) -> Result<Throughput, Error> {
    match (billing, input) {
        (Billing::OnDemand, None) => Ok(Throughput::default()),
        (Billing::OnDemand, Some(_)) => Err(Error::invalid_parameter(format!(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode \
             is PAY_PER_REQUEST{what}"
        ))),
        (Billing::Provisioned, None) => Err(Error::invalid_parameter(format!(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is \
             PROVISIONED{what}"
        ))),
        (Billing::Provisioned, Some(units)) => {
            let mut violations = Violations::default();
            for (member, value) in [
                (
                    "provisionedThroughput.readCapacityUnits",
                    units.read_capacity_units,
                ),
                (
                    "provisionedThroughput.writeCapacityUnits",
                    units.write_capacity_units,
                ),
            ] {
                match value {
                    None => violations.add(None, member, "not be null"),
                    Some(n) if n < 1 => violations.add(
                        Some(&n.to_string()),
                        member,
                        "have value greater than or equal to 1",
                    ),
                    _ => {}
                }
            }
            violations.finish()?;
            Ok(Throughput {
                read: units.read_capacity_units.unwrap_or(1) as u64,
                write: units.write_capacity_units.unwrap_or(1) as u64,
            })
        }
    }
}

/// Parses a billing mode (`PROVISIONED` when absent).
pub(crate) fn billing(mode: Option<&str>) -> Result<Billing, Error> {
    match mode {
        None | Some("PROVISIONED") => Ok(Billing::Provisioned),
        Some("PAY_PER_REQUEST") => Ok(Billing::OnDemand),
        Some(other) => Err(Error::Validation(format!(
            "1 validation error detected: Value '{other}' at 'billingMode' failed to satisfy \
             constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
        ))),
    }
}

/// Parses a secondary index.
pub(crate) fn index(
    input: &IndexInput,
    attributes: &[KeyAttribute],
    billing: Billing,
    global: bool,
    number: u32,
) -> Result<Index, Error> {
    let member = if global {
        "globalSecondaryIndexes"
    } else {
        "localSecondaryIndexes"
    };
    let mut violations = Violations::default();
    violations.name(
        input.index_name.as_deref(),
        &format!("{member}.member.indexName"),
        255,
    );
    violations.finish()?;
    let name = input.index_name.clone().expect("validated as present");
    let key = key_schema(
        input.key_schema.as_deref(),
        attributes,
        &format!("{member}.member.keySchema"),
        global,
    )?;
    let projection = projection(input.projection.as_ref(), &name)?;
    let throughput = if global {
        throughput(
            billing,
            input.provisioned_throughput.as_ref(),
            &format!(" for index {name}"),
        )?
    } else {
        Throughput::default()
    };
    Ok(Index {
        number,
        name,
        key,
        projection,
        status: IndexStatus::Active,
        throughput,
    })
}

/// Parses a stream specification: `Some` view when the stream is to be enabled.
pub(crate) fn stream_view(spec: &StreamSpecification) -> Result<Option<StreamView>, Error> {
    match (spec.stream_enabled, spec.stream_view_type.as_deref()) {
        (None, _) => Err(Error::Validation(
            "1 validation error detected: Value null at 'streamSpecification.streamEnabled' \
             failed to satisfy constraint: Member must not be null"
                .into(),
        )),
        (Some(false), None) => Ok(None),
        (Some(false), Some(_)) => Err(Error::invalid_parameter(
            "StreamViewType cannot be specified when StreamEnabled is false",
        )),
        (Some(true), None) => Err(Error::invalid_parameter(
            "You must specify a StreamViewType when enabling a stream",
        )),
        (Some(true), Some(view)) => StreamView::parse(view).map(Some).ok_or_else(|| {
            Error::Validation(format!(
                "1 validation error detected: Value '{view}' at \
                 'streamSpecification.streamViewType' failed to satisfy constraint: Member must \
                 satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]"
            ))
        }),
    }
}

/// A stream label: the creation time, ISO 8601 with milliseconds (`2024-05-01T12:00:00.123`).
pub(crate) fn stream_label(created_ms: u64) -> String {
    let seconds = unkai_types::iso8601(created_ms / 1000);
    format!("{}.{:03}", seconds.trim_end_matches('Z'), created_ms % 1000)
}

/// Validates tags.
pub(crate) fn tags(input: Option<&[Tag]>) -> Result<Vec<(String, String)>, Error> {
    const PATTERN: &str = r"satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*";
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    let mut violations = Violations::default();
    let mut tags: Vec<(String, String)> = Vec::new();
    for (n, tag) in input.unwrap_or_default().iter().enumerate() {
        let member = |field: &str| format!("tags.{}.member.{field}", n + 1);
        let (key, value) = (tag.key.as_deref(), tag.value.as_deref());
        match key {
            None => violations.add(None, &member("key"), "not be null"),
            Some(key) => {
                let length = key.chars().count();
                if length < 1 {
                    violations.add(
                        Some(key),
                        &member("key"),
                        "have length greater than or equal to 1",
                    );
                }
                if length > 128 {
                    violations.add(
                        Some(key),
                        &member("key"),
                        "have length less than or equal to 128",
                    );
                }
                if !key.chars().all(allowed) {
                    violations.add(Some(key), &member("key"), PATTERN);
                }
            }
        }
        match value {
            None => violations.add(None, &member("value"), "not be null"),
            Some(value) => {
                if value.chars().count() > 256 {
                    violations.add(
                        Some(value),
                        &member("value"),
                        "have length less than or equal to 256",
                    );
                }
                if !value.chars().all(allowed) {
                    violations.add(Some(value), &member("value"), PATTERN);
                }
            }
        }
        if let (Some(key), Some(value)) = (key, value) {
            tags.retain(|(k, _)| k != key);
            tags.push((key.to_string(), value.to_string()));
        }
    }
    violations.finish()?;
    if tags.len() > 50 {
        return Err(Error::invalid_parameter(
            "The number of tags exceeds the limit of 50",
        ));
    }
    Ok(tags)
}

/// Checks that every declared attribute is a key of the table or an index.
fn no_spurious_definitions(table: &Table) -> Result<(), Error> {
    let used = |name: &str| {
        table.key.contains(name)
            || table
                .global_indexes
                .iter()
                .chain(&table.local_indexes)
                .any(|index| index.key.contains(name))
    };
    if table.attributes.iter().any(|a| !used(&a.name)) {
        return Err(Error::invalid_parameter(
            "Number of attributes in KeySchema does not exactly match number of attributes \
             defined in AttributeDefinitions",
        ));
    }
    Ok(())
}

/// Checks the limits on indexes.
fn check_indexes(table: &Table) -> Result<(), Error> {
    if table.global_indexes.len() > MAX_GLOBAL_INDEXES {
        return Err(Error::invalid_parameter(format!(
            "GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"
        )));
    }
    if table.local_indexes.len() > MAX_LOCAL_INDEXES {
        return Err(Error::invalid_parameter(format!(
            "Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LOCAL_INDEXES}"
        )));
    }
    let mut names: Vec<&str> = Vec::new();
    for index in table.global_indexes.iter().chain(&table.local_indexes) {
        if names.contains(&index.name.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "Duplicate index name: {}",
                index.name
            )));
        }
        names.push(&index.name);
    }
    for index in &table.local_indexes {
        if table.key.sort().is_none() {
            return Err(Error::invalid_parameter(
                "Table KeySchema does not have a range key, which is required when specifying a \
                 LocalSecondaryIndex",
            ));
        };
        if index.key.partition().name != table.key.partition().name {
            return Err(Error::invalid_parameter(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for \
                 index: {}. index hash key: {}, table hash key: {}",
                index.name,
                index.key.partition().name,
                table.key.partition().name
            )));
        }
        if index.key.sort().is_none() {
            return Err(Error::invalid_parameter(format!(
                "Index KeySchema does not have a range key for index: {}",
                index.name
            )));
        }
    }
    let projected: usize = table
        .global_indexes
        .iter()
        .chain(&table.local_indexes)
        .map(|index| match &index.projection {
            Projection::Include(names) => names.len(),
            _ => 0,
        })
        .sum();
    if projected > MAX_PROJECTED {
        return Err(Error::LimitExceeded(format!(
            "The number of projected attributes in all indexes exceeds the limit of \
             {MAX_PROJECTED}"
        )));
    }
    Ok(())
}

impl DynamoDb {
    pub(crate) async fn create_table(
        &self,
        scope: Scope<'_>,
        input: CreateTableInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?.to_string();
        let attributes = attribute_definitions(input.attribute_definitions.as_deref())?;
        let key = key_schema(input.key_schema.as_deref(), &attributes, "keySchema", false)?;
        let billing = billing(input.billing_mode.as_deref())?;
        let throughput = throughput(billing, input.provisioned_throughput.as_ref(), "")?;
        let mut next_index = 0;
        let mut indexes = |inputs: Option<&Vec<IndexInput>>, global: bool| {
            inputs
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|input| {
                    next_index += 1;
                    index(input, &attributes, billing, global, next_index)
                })
                .collect::<Result<Vec<_>, _>>()
        };
        if input
            .local_secondary_indexes
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            return Err(Error::invalid_parameter(
                "List of LocalSecondaryIndexes is empty",
            ));
        }
        if input
            .global_secondary_indexes
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            return Err(Error::invalid_parameter(
                "List of GlobalSecondaryIndexes is empty",
            ));
        }
        let global_indexes = indexes(input.global_secondary_indexes.as_ref(), true)?;
        let local_indexes = indexes(input.local_secondary_indexes.as_ref(), false)?;
        let created_ms = millis(&self.clock);
        let mut streams = Vec::new();
        if let Some(spec) = &input.stream_specification
            && let Some(view) = stream_view(spec)?
        {
            streams.push(Stream {
                number: 1,
                label: stream_label(created_ms),
                view,
                created_ms,
                disabled_ms: None,
            });
        }
        let table = Table {
            id: rand::random(),
            uuid: unkai_types::request_id(),
            name,
            key,
            attributes,
            billing,
            throughput,
            global_indexes,
            local_indexes,
            next_index,
            streams,
            ttl: None,
            tags: tags(input.tags.as_deref())?,
            deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
            table_class: input
                .table_class
                .clone()
                .unwrap_or_else(|| "STANDARD".into()),
            created_ms,
        };
        check_indexes(&table)?;
        no_spurious_definitions(&table)?;
        self.kv
            .transact(|tx| {
                if store::get_table(tx, scope.account, scope.region, &table.name)?.is_some() {
                    return Err(Error::ResourceInUse(format!(
                        "Table already exists: {}",
                        table.name
                    )));
                }
                store::put_table(tx, scope.account, scope.region, &table);
                Ok(())
            })
            .await?;
        let arn = scope.table_arn(&table.name);
        let mut description = table_description(&table, &arn, "CREATING", (0, 0));
        if let Some(indexes) = description.get_mut("GlobalSecondaryIndexes") {
            for index in indexes.as_array_mut().into_iter().flatten() {
                index["IndexStatus"] = "CREATING".into();
            }
        }
        Ok(json!({ "TableDescription": description }))
    }
}
