//! KeyConditionExpression: validation, extraction, matching with the key schema.

use super::support::*;
use crate::expr::{KeyCondition, RangeCondition};
use crate::item::ScalarType;

fn kc(text: &str, values_: &str) -> Result<KeyCondition, String> {
    key_condition(text, &[], values_, "p", Some("c"))
}

fn kc_error(text: &str, values_: &str) -> String {
    match kc(text, values_) {
        Ok(k) => panic!("{text}: expected an error, got {k:?}"),
        Err(message) => message,
    }
}

const PC: &str = r#"{":p":{"S":"x"},":c":{"N":"3"}}"#;

#[test]
fn hash_and_range_conditions() {
    let n = |v: &str| value(&format!(r#"{{"N":"{v}"}}"#));
    let x = value(r#"{"S":"x"}"#);
    assert_eq!(
        kc("p=:p", r#"{":p":{"S":"x"}}"#).unwrap(),
        KeyCondition {
            hash: vec![x.clone()],
            sort_prefix: vec![],
            range: None
        }
    );
    assert_eq!(kc(" p  =   :p ", r#"{":p":{"S":"x"}}"#).unwrap().hash[0], x);
    for (text, range) in [
        ("p=:p AND c=:c", RangeCondition::Eq(n("3"))),
        ("p=:p AND c<:c", RangeCondition::Lt(n("3"))),
        ("p=:p AND c<=:c", RangeCondition::Le(n("3"))),
        ("p=:p AND c>:c", RangeCondition::Gt(n("3"))),
        ("p=:p AND c>=:c", RangeCondition::Ge(n("3"))),
        // The key may stand on the right: the comparison turns around.
        (":p=p AND :c=c", RangeCondition::Eq(n("3"))),
        (":p=p AND :c<c", RangeCondition::Gt(n("3"))),
        (":p=p AND :c<=c", RangeCondition::Ge(n("3"))),
        (":p=p AND :c>c", RangeCondition::Lt(n("3"))),
        (":p=p AND :c>=c", RangeCondition::Le(n("3"))),
        ("c=:c AND p=:p", RangeCondition::Eq(n("3"))),
        ("((c=:c) AND (p=:p))", RangeCondition::Eq(n("3"))),
    ] {
        assert_eq!(
            kc(text, PC).unwrap(),
            KeyCondition {
                hash: vec![x.clone()],
                sort_prefix: vec![],
                range: Some(range)
            },
            "{text}"
        );
    }
    assert_eq!(
        kc(
            "p=:p AnD c BeTwEeN :c1 aNd :c2",
            r#"{":p":{"S":"x"},":c1":{"N":"4"},":c2":{"N":"7"}}"#
        )
        .unwrap()
        .range,
        Some(RangeCondition::Between(n("4"), n("7")))
    );
    assert_eq!(
        kc(
            "p=:p AND begins_with(c,:c)",
            r#"{":p":{"S":"x"},":c":{"S":"00"}}"#
        )
        .unwrap()
        .range,
        Some(RangeCondition::BeginsWith(value(r#"{"S":"00"}"#)))
    );
    let k = key_condition(
        "#name1=:p AND #name2=:c",
        &[("#name1", "p"), ("#name2", "c")],
        PC,
        "p",
        Some("c"),
    )
    .unwrap();
    assert_eq!(k.range, Some(RangeCondition::Eq(n("3"))));
}

#[test]
fn range_conditions_match_keys() {
    let n = |v: &str| value(&format!(r#"{{"N":"{v}"}}"#));
    let s = |v: &str| value(&format!(r#"{{"S":"{v}"}}"#));
    let b = |v: &str| value(&format!(r#"{{"B":"{v}"}}"#));
    assert!(RangeCondition::Lt(n("5")).matches(&n("4.9")));
    assert!(!RangeCondition::Lt(n("5")).matches(&n("5")));
    assert!(RangeCondition::Le(n("5")).matches(&n("5")));
    assert!(RangeCondition::Gt(s("005")).matches(&s("006")));
    assert!(RangeCondition::Ge(s("005")).matches(&s("005")));
    assert!(RangeCondition::Eq(n("1")).matches(&n("1.0")));
    assert!(RangeCondition::Between(n("4"), n("7")).matches(&n("7")));
    assert!(!RangeCondition::Between(n("4"), n("7")).matches(&n("8")));
    assert!(RangeCondition::BeginsWith(s("ÿÿ")).matches(&s("ÿÿÿ")));
    assert!(!RangeCondition::BeginsWith(s("cÿbÿ")).matches(&s("ÿÿÿ")));
    // Binary keys compare as unsigned bytes; 0xff prefixes work.
    assert!(RangeCondition::Lt(b("fw==")).matches(&b("fg==")));
    assert!(RangeCondition::Gt(b("fw==")).matches(&b("gA==")));
    assert!(RangeCondition::BeginsWith(b("/w==")).matches(&b("/wME")));
    assert!(!RangeCondition::BeginsWith(b("/w==")).matches(&b("AQID")));
    // Other types never match.
    assert!(!RangeCondition::Lt(n("5")).matches(&s("4")));
}

#[test]
fn key_types_must_match_the_schema() {
    let k = kc("p=:p AND c=:c", PC).unwrap();
    assert!(k.check_types(&[ScalarType::S], &[ScalarType::N]).is_ok());
    let mismatch = "One or more parameter values were invalid: Condition parameter type does not match schema type";
    assert_eq!(
        message(
            k.check_types(&[ScalarType::N], &[ScalarType::N])
                .unwrap_err()
        ),
        mismatch
    );
    assert_eq!(
        message(
            k.check_types(&[ScalarType::S], &[ScalarType::S])
                .unwrap_err()
        ),
        mismatch
    );
    let k = kc("p=:p", r#"{":p":{"L":[]}}"#).unwrap();
    assert_eq!(
        message(k.check_types(&[ScalarType::S], &[]).unwrap_err()),
        mismatch
    );
}

#[test]
fn the_partition_key_needs_one_equality() {
    assert_eq!(
        kc_error("p=:p AND p=:p", r#"{":p":{"S":"x"}}"#),
        "KeyConditionExpressions must only contain one condition per key"
    );
    assert_eq!(
        kc_error("p<:p", r#"{":p":{"S":"x"}}"#),
        "Query key condition not supported"
    );
    assert_eq!(
        kc_error("c=:c", r#"{":c":{"N":"3"}}"#),
        "Query condition missed key schema element: p"
    );
    assert_eq!(
        kc_error(
            "p=:p AND c<:c AND a<:a",
            r#"{":p":{"S":"x"},":c":{"N":"3"},":a":{"N":"3"}}"#
        ),
        "Conditions can be of length 1 or 2 only"
    );
    assert_eq!(
        kc_error("p=:p AND a<:a", r#"{":p":{"S":"x"},":a":{"N":"3"}}"#),
        "Query condition missed key schema element: c"
    );
    // A table with a hash key only.
    let hash_only =
        |text: &str| key_condition(text, &[], r#"{":a":{"S":"1"}}"#, "a", None).unwrap_err();
    for text in [
        "a > :a",
        "a < :a",
        ":a <= a",
        ":a >= a",
        "begins_with(a, :a)",
        "a between :a and :a",
        "a = :a AND b = :a",
        "y = :a and z = :a",
    ] {
        assert_eq!(
            hash_only(text),
            "Query key condition not supported",
            "{text}"
        );
    }
    assert_eq!(
        hash_only("z = :a"),
        "Query condition missed key schema element: a"
    );
    assert_eq!(
        key_condition(
            "(a > :a and b > :a) and (c > :a and d > :a) and (e > :a and f > :a)",
            &[],
            r#"{":a":{"S":"a"}}"#,
            "a",
            Some("b")
        )
        .unwrap_err(),
        "Conditions can be of length 1 or 2 only"
    );
}

#[test]
fn operators_that_key_conditions_do_not_support() {
    let values = r#"{":p":{"S":"x"},":c":{"N":"5"}}"#;
    for (text, op) in [
        ("p=:p AND c<>:c", "<>"),
        ("p=:p AND c IN (:c)", "IN"),
        ("c=:c OR p=:p", "OR"),
        ("NOT c=:c AND p=:p", "NOT"),
        (
            "p=:p AND attribute_exists(c) AND :c = :c",
            "attribute_exists",
        ),
    ] {
        assert_eq!(
            kc_error(text, values),
            format!("Invalid operator used in KeyConditionExpression: {op}"),
            "{text}"
        );
    }
    for (text, op) in [
        ("a > b and size(b) > c or a > c", "OR"),
        ("a in (b, size(c), d)", "IN"),
        ("attribute_exists(a)", "attribute_exists"),
        ("attribute_not_exists(a)", "attribute_not_exists"),
        ("contains(a.d, b)", "contains"),
        ("not a > b", "NOT"),
        ("a <> b", "<>"),
    ] {
        assert_eq!(
            kc_error(text, ""),
            format!("Invalid operator used in KeyConditionExpression: {op}"),
            "{text}"
        );
    }
    assert_eq!(
        kc_error("attribute_type(a, :a)", r#"{":a":{"S":"S"}}"#),
        "Invalid operator used in KeyConditionExpression: attribute_type"
    );
    assert_eq!(
        kc_error("p=:p AND dog(c, :c)", values),
        "Invalid KeyConditionExpression: Invalid function name; function: dog"
    );
    assert_eq!(
        kc_error("p=:p AND BEGINS_WITH(c,:c)", values),
        "Invalid KeyConditionExpression: Invalid function name; function: BEGINS_WITH"
    );
    assert_eq!(
        kc_error("p=:p AND begins_with(c, :c)", values),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
}

#[test]
fn each_condition_compares_one_top_level_key_with_values() {
    let values = r#"{":a":{"S":"1"},":b":{"S":"1"}}"#;
    for (text, op) in [
        (":a between size(b) and size(a) and b > :b", "BETWEEN"),
        ("begins_with(:a, b) and a > :b", "begins_with"),
    ] {
        assert_eq!(
            kc_error(text, values),
            format!(
                "Invalid condition in KeyConditionExpression: {op} operator must have the key attribute as its first operand"
            )
        );
    }
    for text in [
        "size(b) > a AND a.b > b AND b > c",
        "a > size(b.d)",
        "a between size(b) and size(a)",
    ] {
        assert_eq!(
            kc_error(text, ""),
            "KeyConditionExpressions cannot contain nested operations",
            "{text}"
        );
    }
    for text in [
        "b > a.b",
        "b between c[1] and d",
        "a between b and size(a)",
        "begins_with(a, b)",
        "p=c",
        "p=a",
    ] {
        assert_eq!(
            kc_error(text, ""),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
            "{text}"
        );
    }
    for text in ["b.d > a AND c.d > e.f", "a.d > c", "b[0] > a"] {
        assert_eq!(
            kc_error(text, ""),
            "KeyConditionExpressions cannot have conditions on nested attributes",
            "{text}"
        );
    }
    let numbers = r#"{":a":{"N":"1"},":b":{"N":"1"}}"#;
    for text in [":b > :a AND a < :b", ":a > b AND :a < :b"] {
        assert_eq!(
            kc_error(text, numbers),
            "Invalid condition in KeyConditionExpression: No key attribute specified",
            "{text}"
        );
    }
    let numbers1 = r#"{":a":{"N":"1"}}"#;
    for text in [
        "b > :a AND b < :a and c = :a and d = :a",
        "(a > :a and b > :a) and (b > :a and c > :a)",
    ] {
        assert_eq!(
            kc_error(text, numbers1),
            "KeyConditionExpressions must only contain one condition per key",
            "{text}"
        );
    }
    assert_eq!(
        kc_error("p=:p AND a.b<:a", r#"{":p":{"S":"x"},":a":{"N":"3"}}"#),
        "KeyConditionExpressions cannot have conditions on nested attributes"
    );
}

#[test]
fn generic_checks_come_first_and_name_the_parameter() {
    assert_eq!(
        kc_error("", ""),
        "Invalid KeyConditionExpression: The expression can not be empty;"
    );
    for text in [
        "things are not gonna be ok",
        "a > 4",
        "(size(a))[0] > a",
        "p",
        ":a",
        "p=:p AND c!=:c",
    ] {
        assert!(
            kc_error(text, "").starts_with("Invalid KeyConditionExpression: Syntax error; "),
            "{text}"
        );
    }
    assert!(
        kc_error("attribute_type(a, b)", "").starts_with(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type:"
        )
    );
    assert_eq!(
        kc_error("p=:p", ""),
        "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :p"
    );
    assert_eq!(
        kc_error("p=:p", r#"{":p":{"S":"x"},":qq":{"N":"3"}}"#),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:qq}"
    );
    assert_eq!(
        key_condition(
            "#name1=:p AND #name2=:c",
            &[("#name1", "p")],
            PC,
            "p",
            Some("c")
        )
        .unwrap_err(),
        "Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #name2"
    );
    assert_eq!(
        key_condition(
            "#name1=:p",
            &[("#name1", "p"), ("#name2", "c")],
            r#"{":p":{"S":"x"}}"#,
            "p",
            Some("c")
        )
        .unwrap_err(),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#name2}"
    );
    assert_eq!(
        kc_error("a between :b and :a", r#"{":a":{"S":"a"},":b":{"N":"1"}}"#),
        "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    );
    assert_eq!(
        kc_error("a between :b and :a", r#"{":a":{"S":"a"},":b":{"S":"b"}}"#),
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"
    );
    assert_eq!(
        kc_error("count = :p", r#"{":p":{"S":"x"}}"#),
        "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: count"
    );
}

#[test]
fn multi_attribute_keys_take_every_hash_attribute_and_leading_range_attributes() {
    let json = r#"{":a":{"S":"a"},":b":{"S":"b"},":x":{"N":"1"},":y":{"S":"y"}}"#;
    let composite = |text: &str| {
        let (names, values) = (names(&[]), values(json));
        let ctx = crate::expr::Context::new(names.as_ref(), values.as_ref());
        let expression = crate::expr::parse_key_condition(text, &ctx).map_err(message)?;
        expression
            .key_condition(&["h1", "h2"], &["r1", "r2"])
            .map_err(message)
    };
    let (a, b) = (value(r#"{"S":"a"}"#), value(r#"{"S":"b"}"#));
    let k = composite("h2 = :b AND h1 = :a").unwrap();
    assert_eq!(
        (k.hash, k.sort_prefix, k.range),
        (vec![a.clone(), b.clone()], vec![], None)
    );
    // Written in any order, the sort key conditions apply in key schema order.
    let k = composite("r2 > :y AND h1 = :a AND r1 = :x AND h2 = :b").unwrap();
    assert_eq!(k.hash, [a, b]);
    assert_eq!(k.sort_prefix, [value(r#"{"N":"1"}"#)]);
    assert_eq!(k.range, Some(RangeCondition::Gt(value(r#"{"S":"y"}"#))));
    assert!(
        k.check_types(&[ScalarType::S; 2], &[ScalarType::N, ScalarType::S])
            .is_ok()
    );
    assert!(
        k.check_types(&[ScalarType::S; 2], &[ScalarType::S, ScalarType::S])
            .is_err()
    );
    for (text, word) in [
        ("h1 = :a", "HASH"),
        ("h1 = :a AND h2 > :b", "HASH"),
        ("h1 = :a AND h2 = :b AND r2 = :y", "RANGE"),
        ("h1 = :a AND h2 = :b AND r1 > :x AND r2 = :y", "RANGE"),
        ("h1 = :a AND h2 = :b AND z = :x", "not a key attribute"),
    ] {
        let error = composite(text).unwrap_err();
        assert!(error.contains(word), "{text}: {error}");
    }
}
