//! Request-level rules: parameter combinations, the placeholder maps, usage across the
//! expressions of one request.

use super::support::*;
use crate::expr::{
    Context, ExprKind, Operation, Parameters, check_parameters, parse_condition,
    parse_key_condition, parse_projection, parse_update,
};

fn check(operation: Operation, p: Parameters) -> Result<(), String> {
    check_parameters(operation, &p).map_err(message)
}

#[test]
fn expressions_and_legacy_parameters_do_not_mix() {
    assert_eq!(
        check(
            Operation::GetItem,
            Parameters {
                projection_expression: true,
                attributes_to_get: true,
                ..Parameters::default()
            }
        )
        .unwrap_err(),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    );
    assert_eq!(
        check(
            Operation::UpdateItem,
            Parameters {
                update_expression: true,
                condition_expression: true,
                attribute_updates: true,
                expected: true,
                expression_attribute_names: true,
                expression_attribute_values: true,
                ..Parameters::default()
            }
        )
        .unwrap_err(),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}"
    );
    let query = Parameters {
        attributes_to_get: true,
        query_filter: true,
        conditional_operator: true,
        key_conditions: true,
        projection_expression: true,
        filter_expression: true,
        key_condition_expression: true,
        ..Parameters::default()
    };
    assert_eq!(
        check(Operation::Query, query).unwrap_err(),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator, KeyConditions} Expression parameters: {ProjectionExpression, FilterExpression, KeyConditionExpression}"
    );
    // KeyConditions only counts next to a KeyConditionExpression.
    assert_eq!(
        check(
            Operation::Query,
            Parameters {
                key_condition_expression: false,
                ..query
            }
        )
        .unwrap_err(),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator} Expression parameters: {ProjectionExpression, FilterExpression}"
    );
    assert!(
        check(
            Operation::Query,
            Parameters {
                key_conditions: true,
                filter_expression: true,
                ..Parameters::default()
            }
        )
        .is_ok()
    );
    assert!(
        check(
            Operation::UpdateItem,
            Parameters {
                attribute_updates: true,
                condition_expression: true,
                ..Parameters::default()
            }
        )
        .unwrap_err()
        .contains("Expression parameters: {ConditionExpression}")
    );
    assert!(
        check(
            Operation::UpdateItem,
            Parameters {
                update_expression: true,
                expected: true,
                ..Parameters::default()
            }
        )
        .unwrap_err()
        .contains("Expression parameters: {UpdateExpression}")
    );
}

#[test]
fn placeholder_maps_need_expressions() {
    let names_only = Parameters {
        expression_attribute_names: true,
        ..Parameters::default()
    };
    for operation in [
        Operation::GetItem,
        Operation::PutItem,
        Operation::UpdateItem,
        Operation::Scan,
    ] {
        assert_eq!(
            check(operation, names_only).unwrap_err(),
            "ExpressionAttributeNames can only be specified when using expressions"
        );
    }
    let values_only = Parameters {
        expression_attribute_values: true,
        ..Parameters::default()
    };
    for (operation, missing) in [
        (Operation::PutItem, "ConditionExpression is null"),
        (Operation::DeleteItem, "ConditionExpression is null"),
        (
            Operation::UpdateItem,
            "UpdateExpression and ConditionExpression are null",
        ),
        (
            Operation::Query,
            "FilterExpression and KeyConditionExpression are null",
        ),
        (Operation::Scan, "FilterExpression is null"),
    ] {
        assert_eq!(
            check(operation, values_only).unwrap_err(),
            format!(
                "ExpressionAttributeValues can only be specified when using expressions: {missing}"
            )
        );
    }
    // A projection takes names but no values.
    assert!(
        check(
            Operation::Scan,
            Parameters {
                projection_expression: true,
                expression_attribute_values: true,
                ..Parameters::default()
            }
        )
        .unwrap_err()
        .contains("FilterExpression is null")
    );
    assert!(
        check(
            Operation::GetItem,
            Parameters {
                projection_expression: true,
                expression_attribute_names: true,
                ..Parameters::default()
            }
        )
        .is_ok()
    );
}

#[test]
fn placeholder_maps_are_validated() {
    let error = |names_: &[(&str, &str)], values_: &str| {
        let names = names(names_);
        let values = values(values_);
        let ctx = Context::new(names.as_ref(), values.as_ref());
        message(parse_condition("a = b", ExprKind::Condition, &ctx).unwrap_err())
    };
    let empty_names: std::collections::HashMap<String, String> = Default::default();
    let ctx = Context::new(Some(&empty_names), None);
    assert_eq!(
        message(ctx.validate().unwrap_err()),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        error(&[], "{}"),
        "ExpressionAttributeValues must not be empty"
    );
    assert_eq!(
        error(&[("a", "a")], ""),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""
    );
    assert_eq!(
        error(&[("#a ", "a")], ""),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#a \""
    );
    assert_eq!(
        error(&[("#", "a")], ""),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#\""
    );
    assert_eq!(
        error(&[], r#"{":b":{"S":"a"},"b":{"S":"a"}}"#),
        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\""
    );
    let long = format!("#{}", "a".repeat(255));
    assert_eq!(
        error(&[(long.as_str(), "a")], ""),
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"
    );
    assert_eq!(
        error(&[("#name", "")], ""),
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #name"
    );
    let huge = "x".repeat(65536);
    assert_eq!(
        error(&[("#name", huge.as_str())], ""),
        "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 bytes for key #name"
    );
    // 65535 bytes is fine.
    let names = names(&[("#name", &huge[1..])]);
    let ctx = Context::new(names.as_ref(), None);
    assert!(parse_projection("#name", &ctx).is_ok());
}

#[test]
fn usage_is_counted_across_the_expressions_of_a_request() {
    let names = names(&[("#name1", "a"), ("#name2", "b")]);
    let values = values(r#"{":val1":{"N":"1"},":val2":{"N":"2"},":val3":{"N":"3"}}"#);
    let ctx = Context::new(names.as_ref(), values.as_ref());
    parse_update("SET #name1 = :val1", &ctx).unwrap();
    assert!(message(ctx.check_unused().unwrap_err()).contains("{#name2}"));
    parse_condition("#name2 = :val2", ExprKind::Condition, &ctx).unwrap();
    assert_eq!(
        message(ctx.check_unused().unwrap_err()),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:val3}"
    );

    // Query: a name used by the key condition and another by the projection.
    let names = self::names(&[("#name1", "p"), ("#name2", "a")]);
    let values = self::values(r#"{":val1":{"S":"x"}}"#);
    let ctx = Context::new(names.as_ref(), values.as_ref());
    let kce = parse_key_condition("#name1 = :val1", &ctx).unwrap();
    parse_projection("#name2", &ctx).unwrap();
    ctx.check_unused().unwrap();
    assert_eq!(
        kce.key_condition(&["p"], &[]).unwrap().hash[0],
        value(r#"{"S":"x"}"#)
    );
}
