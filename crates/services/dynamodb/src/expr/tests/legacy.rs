//! The legacy parameters: Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates,
//! AttributesToGet.

use std::collections::HashMap;

use super::support::*;
use crate::expr::legacy::{
    self, AttributeCondition, AttributeValueUpdate, ExpectedAttributeValue, FilterParameter,
};
use crate::expr::{Condition, RangeCondition};

fn expected_map(json: &str) -> HashMap<String, ExpectedAttributeValue> {
    serde_json::from_str(json).unwrap()
}

fn conditions(json: &str) -> HashMap<String, AttributeCondition> {
    serde_json::from_str(json).unwrap()
}

fn expected(json: &str, operator: Option<&str>) -> Result<Option<Condition>, String> {
    legacy::expected(Some(&expected_map(json)), operator).map_err(message)
}

fn expect_holds(json: &str, doc: &str) -> bool {
    expected(json, None)
        .unwrap_or_else(|e| panic!("{json}: {e}"))
        .unwrap()
        .evaluate(Some(&item(doc)))
}

fn expect_error(json: &str) -> String {
    match expected(json, None) {
        Ok(c) => panic!("{json}: expected an error, got {c:?}"),
        Err(message) => message,
    }
}

fn op(name: &str, values: &str) -> String {
    format!(r#"{{"a":{{"ComparisonOperator":"{name}","AttributeValueList":[{values}]}}}}"#)
}

#[test]
fn the_wire_shapes_deserialize() {
    let e = expected_map(
        r#"{"a":{"Value":{"N":"1"},"Exists":true},"b":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"x"}]}}"#,
    );
    assert_eq!(e["a"].value, Some(value(r#"{"N":"1"}"#)));
    assert_eq!(e["a"].exists, Some(true));
    assert_eq!(e["b"].comparison_operator.as_deref(), Some("IN"));
    let u: HashMap<String, AttributeValueUpdate> =
        serde_json::from_str(r#"{"a":{"Action":"DELETE"},"b":{"Value":{"S":"x"}}}"#).unwrap();
    assert_eq!(u["a"].action.as_deref(), Some("DELETE"));
    assert_eq!(u["b"].value, Some(value(r#"{"S":"x"}"#)));
    assert!(serde_json::from_str::<ExpectedAttributeValue>(r#"{"Value":{"N":"x"}}"#).is_err());
}

#[test]
fn comparison_operators() {
    let doc = r#"{"a":{"N":"1"},"b":{"S":"cat"},"c":{"B":"Y2F0"}}"#;
    let cases = [
        (op("EQ", r#"{"N":"1"}"#), true),
        (op("EQ", r#"{"N":"2"}"#), false),
        (op("EQ", r#"{"S":"1"}"#), false),
        (op("NE", r#"{"N":"2"}"#), true),
        (op("NE", r#"{"S":"1"}"#), true),
        (op("NE", r#"{"N":"1"}"#), false),
        (op("LE", r#"{"N":"1"}"#), true),
        (op("LE", r#"{"N":"0"}"#), false),
        (op("LE", r#"{"S":"1"}"#), false),
        (op("LT", r#"{"N":"2"}"#), true),
        (op("LT", r#"{"N":"1"}"#), false),
        (op("GE", r#"{"N":"1"}"#), true),
        (op("GT", r#"{"N":"0"}"#), true),
        (op("GT", r#"{"N":"1"}"#), false),
        (op("BETWEEN", r#"{"N":"1"},{"N":"3"}"#), true),
        (op("BETWEEN", r#"{"N":"0"},{"N":"1"}"#), true),
        (op("BETWEEN", r#"{"N":"2"},{"N":"3"}"#), false),
        (op("BETWEEN", r#"{"S":"cat"},{"S":"dog"}"#), false),
        (op("IN", r#"{"N":"2"},{"N":"1"},{"N":"8"}"#), true),
        (op("IN", r#"{"N":"2"},{"N":"4"}"#), false),
        (op("NOT_NULL", ""), true),
        (op("NULL", ""), false),
    ];
    for (json, result) in cases {
        assert_eq!(expect_holds(&json, doc), result, "{json}");
    }
    let missing = |json: &str| expect_holds(&json.replacen("\"a\"", "\"q\"", 1), doc);
    assert!(missing(&op("NE", r#"{"N":"1"}"#)));
    assert!(missing(&op("NULL", "")));
    assert!(!missing(&op("NOT_NULL", "")));
    assert!(!missing(&op("EQ", r#"{"N":"1"}"#)));
    assert!(!missing(&op("BETWEEN", r#"{"N":"0"},{"N":"100"}"#)));
    assert!(!missing(&op("CONTAINS", r#"{"N":"1"}"#)));
    // Unlike NE, NOT_CONTAINS is false for a missing attribute.
    assert!(!missing(&op("NOT_CONTAINS", r#"{"N":"1"}"#)));
    // NULL / NOT_NULL test presence, not the NULL type; the list may be omitted.
    assert!(expect_holds(
        r#"{"c":{"ComparisonOperator":"NOT_NULL"}}"#,
        r#"{"c":{"NULL":true}}"#
    ));
    assert!(!expect_holds(
        r#"{"c":{"ComparisonOperator":"NULL"}}"#,
        r#"{"c":{"NULL":true}}"#
    ));
    // Bytes are unsigned.
    assert!(expect_holds(
        r#"{"b":{"ComparisonOperator":"LT","AttributeValueList":[{"B":"gA=="}]}}"#,
        r#"{"b":{"B":"fw=="}}"#
    ));
}

#[test]
fn contains_and_begins_with() {
    let doc = r#"{"a":{"S":"hello"},"b":{"NS":["2","4","7"]},"c":{"L":[{"N":"2"},{"N":"4"}]},"d":{"B":"aGkgdGhlcmU="},"x":{"N":"3"}}"#;
    let on = |attr: &str, op: &str, v: &str| {
        expect_holds(
            &format!(r#"{{"{attr}":{{"ComparisonOperator":"{op}","AttributeValueList":[{v}]}}}}"#),
            doc,
        )
    };
    assert!(on("a", "CONTAINS", r#"{"S":"ell"}"#));
    assert!(on("b", "CONTAINS", r#"{"N":"4"}"#));
    assert!(on("c", "CONTAINS", r#"{"N":"4"}"#));
    assert!(on("d", "CONTAINS", r#"{"B":"aGVyZQ=="}"#));
    assert!(!on("a", "CONTAINS", r#"{"S":"dog"}"#));
    assert!(!on("a", "CONTAINS", r#"{"N":"1"}"#));
    assert!(!on("b", "CONTAINS", r#"{"N":"1"}"#));
    assert!(on("a", "NOT_CONTAINS", r#"{"S":"dog"}"#));
    assert!(on("b", "NOT_CONTAINS", r#"{"N":"1"}"#));
    assert!(!on("c", "NOT_CONTAINS", r#"{"N":"4"}"#));
    assert!(on("a", "BEGINS_WITH", r#"{"S":"hell"}"#));
    assert!(on("d", "BEGINS_WITH", r#"{"B":"aGk="}"#));
    assert!(!on("a", "BEGINS_WITH", r#"{"S":"dog"}"#));
    assert!(!on("x", "BEGINS_WITH", r#"{"S":"dog"}"#));
}

#[test]
fn value_and_exists() {
    let doc = r#"{"a":{"N":"1"}}"#;
    assert!(expect_holds(r#"{"a":{"Value":{"N":"1"}}}"#, doc));
    assert!(!expect_holds(r#"{"a":{"Value":{"N":"2"}}}"#, doc));
    assert!(!expect_holds(r#"{"z":{"Value":{"N":"1"}}}"#, doc));
    assert!(expect_holds(
        r#"{"a":{"Exists":true,"Value":{"N":"1"}}}"#,
        doc
    ));
    assert!(expect_holds(r#"{"z":{"Exists":false}}"#, doc));
    assert!(!expect_holds(r#"{"a":{"Exists":false}}"#, doc));
    let set_doc = r#"{"a":{"SS":["dog","chinchilla","cat","mouse"]}}"#;
    assert!(expect_holds(
        r#"{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"SS":["chinchilla","cat","dog","mouse"]}]}}"#,
        set_doc
    ));
    let invalid = |detail: &str| format!("One or more parameter values were invalid: {detail}");
    assert_eq!(
        expect_error(r#"{"a":{"Exists":true}}"#),
        invalid("Value must be provided when Exists is true for Attribute: a")
    );
    assert_eq!(
        expect_error(r#"{"a":{}}"#),
        invalid("Value must be provided when Exists is null for Attribute: a")
    );
    assert_eq!(
        expect_error(r#"{"a":{"Exists":false,"Value":{"N":"1"}}}"#),
        invalid("Value cannot be used when Exists is false for Attribute: a")
    );
    assert_eq!(
        expect_error(
            r#"{"a":{"Exists":false,"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]}}"#
        ),
        invalid("Exists and ComparisonOperator cannot be used together for Attribute: a")
    );
    assert_eq!(
        expect_error(
            r#"{"a":{"Value":{"N":"3"},"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]}}"#
        ),
        invalid("Value and AttributeValueList cannot be used together for Attribute: a")
    );
    assert_eq!(
        expect_error(r#"{"a":{"AttributeValueList":[{"N":"3"}]}}"#),
        invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: a")
    );
    assert_eq!(
        expect_error(r#"{"a":{"ComparisonOperator":"LT"}}"#),
        invalid(
            "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"
        )
    );
    // Value stands for a one-element list.
    assert!(expect_holds(
        r#"{"a":{"ComparisonOperator":"GT","Value":{"N":"0"}}}"#,
        doc
    ));
}

#[test]
fn value_lists_are_checked() {
    let invalid = |detail: &str| format!("One or more parameter values were invalid: {detail}");
    for name in [
        "EQ",
        "NE",
        "LE",
        "LT",
        "GE",
        "GT",
        "CONTAINS",
        "NOT_CONTAINS",
        "BEGINS_WITH",
    ] {
        assert_eq!(
            expect_error(&op(name, r#"{"S":"a"},{"S":"b"}"#)),
            invalid(&format!(
                "Invalid number of argument(s) for the {name} ComparisonOperator"
            ))
        );
    }
    for name in ["NULL", "NOT_NULL"] {
        assert_eq!(
            expect_error(&op(name, r#"{"N":"2"}"#)),
            invalid(&format!(
                "Invalid number of argument(s) for the {name} ComparisonOperator"
            ))
        );
    }
    assert_eq!(
        expect_error(&op("IN", "")),
        invalid("Invalid number of argument(s) for the IN ComparisonOperator")
    );
    for values in ["", r#"{"N":"2"}"#, r#"{"N":"2"},{"N":"3"},{"N":"4"}"#] {
        assert_eq!(
            expect_error(&op("BETWEEN", values)),
            invalid("Invalid number of argument(s) for the BETWEEN ComparisonOperator")
        );
    }
    for name in ["LT", "LE", "GT", "GE", "IN"] {
        for (v, t) in [
            (r#"{"BOOL":true}"#, "BOOL"),
            (r#"{"NULL":true}"#, "NULL"),
            (r#"{"SS":["a"]}"#, "SS"),
            (r#"{"NS":["1"]}"#, "NS"),
            (r#"{"BS":["YQ=="]}"#, "BS"),
            (r#"{"M":{}}"#, "M"),
            (r#"{"L":[]}"#, "L"),
        ] {
            assert_eq!(
                expect_error(&op(name, v)),
                invalid(&format!(
                    "ComparisonOperator {name} is not valid for {t} AttributeValue type"
                ))
            );
        }
    }
    for name in ["CONTAINS", "NOT_CONTAINS"] {
        assert_eq!(
            expect_error(&op(name, r#"{"L":[{"N":"1"}]}"#)),
            invalid(&format!(
                "ComparisonOperator {name} is not valid for L AttributeValue type"
            ))
        );
    }
    assert_eq!(
        expect_error(&op("BEGINS_WITH", r#"{"N":"3"}"#)),
        invalid("ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type")
    );
    assert_eq!(
        expect_error(&op("BETWEEN", r#"{"SS":["1"]},{"SS":["2"]}"#)),
        invalid("ComparisonOperator BETWEEN is not valid for SS AttributeValue type")
    );
    assert_eq!(
        expect_error(&op("IN", r#"{"N":"3"},{"S":"dog"}"#)),
        invalid("AttributeValues inside AttributeValueList must be of same type")
    );
    assert_eq!(
        expect_error(&op("BETWEEN", r#"{"N":"4"},{"S":"dog"}"#)),
        invalid("AttributeValues inside AttributeValueList must be of same type")
    );
    for values in [r#"{"N":"4"},{"N":"3"}"#, r#"{"S":"dog"},{"S":"aardvark"}"#] {
        assert_eq!(
            expect_error(&op("BETWEEN", values)),
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
        );
    }
    assert_eq!(
        expect_error(&op("eq", r#"{"N":"1"}"#)),
        "1 validation error detected: Value 'eq' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
    );
}

#[test]
fn conditional_operator_joins_conditions() {
    let doc = item(r#"{"a":{"N":"1"},"b":{"N":"2"}}"#);
    let all_true = r#"{"a":{"Exists":true,"Value":{"N":"1"}},"b":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2"}]},"c":{"Exists":false}}"#;
    let one_true = r#"{"a":{"Exists":true,"Value":{"N":"74"}},"b":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"999"}]},"c":{"Exists":false}}"#;
    let none_true = r#"{"a":{"Exists":true,"Value":{"N":"74"}},"b":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"999"}]},"b2":{"Exists":true,"Value":{"N":"0"}}}"#;
    let check = |json: &str, operator: Option<&str>| {
        expected(json, operator)
            .unwrap()
            .unwrap()
            .evaluate(Some(&doc))
    };
    assert!(check(all_true, None));
    assert!(check(all_true, Some("AND")));
    assert!(!check(one_true, None));
    assert!(!check(one_true, Some("AND")));
    assert!(check(one_true, Some("OR")));
    assert!(!check(none_true, Some("OR")));
    for bad in ["DOG", "and"] {
        assert_eq!(
            expected(all_true, Some(bad)).unwrap_err(),
            format!(
                "1 validation error detected: Value '{bad}' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
            )
        );
    }
    // An empty Expected is no condition; ConditionalOperator then has nothing to join.
    assert!(expected("{}", None).unwrap().is_none());
    assert!(
        expected("{}", Some("OR"))
            .unwrap_err()
            .contains("ConditionalOperator")
    );
    assert_eq!(
        message(legacy::expected(None, Some("AND")).unwrap_err()),
        "ConditionalOperator cannot be used without Filter or Expected"
    );
    assert!(legacy::expected(None, None).unwrap().is_none());
}

#[test]
fn query_and_scan_filters() {
    let doc = item(r#"{"i":{"N":"3"},"s":{"S":"abc"},"r":{"L":[{"N":"1"}]}}"#);
    let filter = |json: &str, operator: Option<&str>| {
        legacy::filter(
            Some(&conditions(json)),
            operator,
            FilterParameter::ScanFilter,
        )
        .map_err(message)
    };
    let and = r#"{"i":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]},"s":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}"#;
    assert!(!filter(and, None).unwrap().unwrap().evaluate(Some(&doc)));
    assert!(
        filter(and, Some("OR"))
            .unwrap()
            .unwrap()
            .evaluate(Some(&doc))
    );
    assert!(filter("{}", None).unwrap().is_none());
    assert!(
        legacy::filter(None, None, FilterParameter::QueryFilter)
            .unwrap()
            .is_none()
    );
    let member = r#"{"r":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"1"}]}}"#;
    assert!(filter(member, None).unwrap().unwrap().evaluate(Some(&doc)));
    assert_eq!(
        message(
            legacy::filter(
                Some(&conditions(
                    r#"{"i":{"ComparisonOperator":"DOG","AttributeValueList":[{"N":"3"}]}}"#
                )),
                None,
                FilterParameter::QueryFilter
            )
            .unwrap_err()
        ),
        "1 validation error detected: Value 'DOG' at 'queryFilter.i.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
    );
    assert_eq!(
        filter(r#"{"i":{"AttributeValueList":[{"N":"3"}]}}"#, None).unwrap_err(),
        "1 validation error detected: Value null at 'scanFilter.i.member.comparisonOperator' failed to satisfy constraint: Member must not be null"
    );
    // QueryFilter may not name key attributes.
    let c = legacy::filter(
        Some(&conditions(r#"{"c":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]},"i":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]}}"#)),
        None,
        FilterParameter::QueryFilter,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        message(c.check_filter_keys(&["p", "c"]).unwrap_err()),
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: c"
    );
}

#[test]
fn key_conditions() {
    let kc = |json: &str, range: Option<&str>| {
        let range: Vec<&str> = range.into_iter().collect();
        legacy::key_conditions(&conditions(json), &["p"], &range).map_err(message)
    };
    let eq = r#"{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}"#;
    let k = kc(&format!(r#"{{"p":{eq}}}"#), Some("c")).unwrap();
    assert_eq!(k.hash, [value(r#"{"S":"x"}"#)]);
    assert_eq!(k.range, None);
    let k = kc(
        &format!(r#"{{"p":{eq},"c":{{"ComparisonOperator":"BETWEEN","AttributeValueList":[{{"N":"4"}},{{"N":"7"}}]}}}}"#),
        Some("c"),
    )
    .unwrap();
    assert_eq!(
        k.range,
        Some(RangeCondition::Between(
            value(r#"{"N":"4"}"#),
            value(r#"{"N":"7"}"#)
        ))
    );
    for op in ["LE", "LT", "GE", "GT", "BEGINS_WITH"] {
        assert_eq!(
            kc(
                &format!(
                    r#"{{"p":{{"ComparisonOperator":"{op}","AttributeValueList":[{{"S":"x"}}]}}}}"#
                ),
                Some("c")
            )
            .unwrap_err(),
            "Query key condition not supported"
        );
    }
    for op in ["IN", "CONTAINS", "NOT_CONTAINS", "NE"] {
        assert_eq!(
            kc(
                &format!(
                    r#"{{"p":{{"ComparisonOperator":"{op}","AttributeValueList":[{{"S":"x"}}]}}}}"#
                ),
                Some("c")
            )
            .unwrap_err(),
            "Attempted conditional constraint is not an indexable operation"
        );
    }
    for op in ["NULL", "NOT_NULL"] {
        assert_eq!(
            kc(
                &format!(r#"{{"p":{eq},"c":{{"ComparisonOperator":"{op}"}}}}"#),
                Some("c")
            )
            .unwrap_err(),
            "Attempted conditional constraint is not an indexable operation"
        );
    }
    assert!(
        kc(
            r#"{"p":{"ComparisonOperator":"eq","AttributeValueList":[{"S":"x"}]}}"#,
            Some("c")
        )
        .unwrap_err()
        .contains("'keyConditions.p.member.comparisonOperator'")
    );
    assert_eq!(
        kc(
            r#"{"p":{"ComparisonOperator":"EQ","AttributeValueList":[]}}"#,
            Some("c")
        )
        .unwrap_err(),
        "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"
    );
    assert_eq!(
        kc(
            r#"{"c":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"3"}]}}"#,
            Some("c")
        )
        .unwrap_err(),
        "Query condition missed key schema element: p"
    );
    assert_eq!(
        kc(&format!(r#"{{"p":{eq},"a":{{"ComparisonOperator":"EQ","AttributeValueList":[{{"N":"5"}}]}}}}"#), Some("c"))
            .unwrap_err(),
        "Query condition missed key schema element: c"
    );
    assert_eq!(
        kc("{}", Some("c")).unwrap_err(),
        "Conditions can be of length 1 or 2 only"
    );
    assert_eq!(
        kc(&format!(r#"{{"p":{eq},"c":{eq}}}"#), None).unwrap_err(),
        "Query key condition not supported"
    );
    assert_eq!(
        kc(&format!(r#"{{"p":{eq},"c":{{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{{"N":"3"}}]}}}}"#), Some("c"))
            .unwrap_err(),
        "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"
    );
    assert_eq!(
        kc(&format!(r#"{{"p":{eq},"c":{{"ComparisonOperator":"BETWEEN","AttributeValueList":[{{"S":"b"}},{{"S":"a"}}]}}}}"#), Some("c"))
            .unwrap_err(),
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    );
}

fn updates(json: &str) -> HashMap<String, AttributeValueUpdate> {
    serde_json::from_str(json).unwrap()
}

fn apply_updates(json: &str, doc: &str) -> Result<crate::item::Item, String> {
    let update = legacy::attribute_updates(&updates(json)).map_err(message)?;
    let existed = !doc.is_empty();
    let mut target = if existed {
        item(doc)
    } else {
        crate::item::Item::new()
    };
    update.apply(&mut target, existed).map_err(message)?;
    Ok(target)
}

#[test]
fn attribute_updates_put_and_delete() {
    assert_eq!(
        apply_updates(
            r#"{"a":{"Value":{"N":"1"},"Action":"PUT"},"b":{"Value":{"S":"x"}}}"#,
            ""
        )
        .unwrap(),
        item(r#"{"a":{"N":"1"},"b":{"S":"x"}}"#)
    );
    assert_eq!(
        apply_updates(
            r#"{"a":{"Action":"DELETE"}}"#,
            r#"{"a":{"N":"1"},"b":{"N":"2"}}"#
        )
        .unwrap(),
        item(r#"{"b":{"N":"2"}}"#)
    );
    assert_eq!(
        apply_updates("{}", r#"{"a":{"N":"1"}}"#).unwrap(),
        item(r#"{"a":{"N":"1"}}"#)
    );
    // A dot is part of the name.
    assert_eq!(
        apply_updates(r#"{"a.b":{"Value":{"N":"3"}}}"#, "").unwrap(),
        item(r#"{"a.b":{"N":"3"}}"#)
    );
    let set = r#"{"a":{"NS":["1","2","3","4","5"]}}"#;
    assert_eq!(
        apply_updates(r#"{"a":{"Action":"DELETE","Value":{"NS":["2","4"]}}}"#, set).unwrap(),
        item(r#"{"a":{"NS":["1","3","5"]}}"#)
    );
    assert_eq!(
        apply_updates(
            r#"{"a":{"Action":"DELETE","Value":{"NS":["1","2","3","4","5","6"]}}}"#,
            set
        )
        .unwrap(),
        item("{}")
    );
    assert_eq!(
        apply_updates(r#"{"a":{"Action":"DELETE","Value":{"SS":["hi"]}}}"#, set).unwrap_err(),
        "Type mismatch for attribute to update"
    );
    assert_eq!(
        apply_updates(r#"{"a":{"Action":"DELETE","Value":{"NS":["4"]}}}"#, "").unwrap(),
        item("{}")
    );
    for (v, t) in [
        (r#"{"S":"b"}"#, "S"),
        (r#"{"N":"3"}"#, "N"),
        (r#"{"B":"Yg=="}"#, "B"),
        (r#"{"BOOL":true}"#, "BOOL"),
        (r#"{"NULL":true}"#, "NULL"),
        (r#"{"L":[{"N":"2"}]}"#, "L"),
        (r#"{"M":{"a":{"N":"3"}}}"#, "M"),
    ] {
        assert_eq!(
            apply_updates(&format!(r#"{{"a":{{"Action":"DELETE","Value":{v}}}}}"#), "")
                .unwrap_err(),
            format!(
                "One or more parameter values were invalid: DELETE action with value is not supported for the type {t}"
            )
        );
    }
    assert_eq!(
        apply_updates(r#"{"a":{"Action":"PUT"}}"#, "").unwrap_err(),
        "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"
    );
    assert_eq!(
        apply_updates(
            r#"{"attribute":{"Action":"NONEXISTENT","Value":{"N":"1"}}}"#,
            ""
        )
        .unwrap_err(),
        "1 validation error detected: Value 'NONEXISTENT' at 'attributeUpdates.attribute.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, DELETE, PUT]"
    );
    assert_eq!(
        apply_updates(r#"{"":{"Value":{"N":"1"}}}"#, "").unwrap_err(),
        "Empty attribute name"
    );
    let long = "x".repeat(65536);
    assert!(
        apply_updates(&format!(r#"{{"{long}":{{"Value":{{"N":"1"}}}}}}"#), "")
            .unwrap_err()
            .contains("65536")
    );
    let u = legacy::attribute_updates(&updates(r#"{"a":{"Action":"DELETE"}}"#)).unwrap();
    assert!(u.only_removes());
    assert_eq!(
        message(
            legacy::attribute_updates(&updates(r#"{"p":{"Value":{"S":"x"}}}"#))
                .unwrap()
                .check_key_attributes(&["p"])
                .unwrap_err()
        ),
        "One or more parameter values were invalid: Cannot update attribute p. This attribute is part of the key"
    );
}

#[test]
fn attribute_updates_add() {
    let add = |doc: &str, v: &str| {
        apply_updates(&format!(r#"{{"a":{{"Action":"ADD","Value":{v}}}}}"#), doc)
    };
    assert_eq!(
        add(r#"{"a":{"N":"7"}}"#, r#"{"N":"2"}"#).unwrap(),
        item(r#"{"a":{"N":"9"}}"#)
    );
    assert_eq!(
        add(r#"{"a":{"N":"9"}}"#, r#"{"N":"-3.5"}"#).unwrap(),
        item(r#"{"a":{"N":"5.5"}}"#)
    );
    assert_eq!(add("", r#"{"N":"2"}"#).unwrap(), item(r#"{"a":{"N":"2"}}"#));
    assert_eq!(
        add(r#"{"a":{"NS":["1","2"]}}"#, r#"{"NS":["3","1"]}"#).unwrap(),
        item(r#"{"a":{"NS":["1","2","3"]}}"#)
    );
    assert_eq!(
        add("", r#"{"SS":["a","b"]}"#).unwrap(),
        item(r#"{"a":{"SS":["a","b"]}}"#)
    );
    // Lists are appended to (AttributeUpdates only).
    assert_eq!(
        add(
            r#"{"a":{"L":[{"N":"1"},{"N":"2"}]}}"#,
            r#"{"L":[{"N":"3"},{"N":"1"}]}"#
        )
        .unwrap(),
        item(r#"{"a":{"L":[{"N":"1"},{"N":"2"},{"N":"3"},{"N":"1"}]}}"#)
    );
    assert_eq!(
        add("", r#"{"L":[{"N":"7"}]}"#).unwrap(),
        item(r#"{"a":{"L":[{"N":"7"}]}}"#)
    );
    for (v, t) in [
        (r#"{"S":"s"}"#, "S"),
        (r#"{"M":{"y":{"N":"2"}}}"#, "M"),
        (r#"{"B":"Yg=="}"#, "B"),
        (r#"{"NULL":true}"#, "NULL"),
        (r#"{"BOOL":true}"#, "BOOL"),
    ] {
        assert_eq!(
            add("", v).unwrap_err(),
            format!(
                "One or more parameter values were invalid: ADD action is not supported for the type {t}"
            )
        );
    }
    let mismatch = "Type mismatch for attribute to update";
    assert_eq!(
        add(r#"{"a":{"NS":["1"]}}"#, r#"{"SS":["a"]}"#).unwrap_err(),
        mismatch
    );
    assert_eq!(
        add(r#"{"a":{"SS":["dog"]}}"#, r#"{"N":"2"}"#).unwrap_err(),
        mismatch
    );
    assert_eq!(
        add(r#"{"a":{"SS":["dog"]}}"#, r#"{"L":[{"S":"cat"}]}"#).unwrap_err(),
        mismatch
    );
    assert_eq!(
        add(r#"{"a":{"L":[{"S":"dog"}]}}"#, r#"{"SS":["cat"]}"#).unwrap_err(),
        mismatch
    );
    assert_eq!(
        add(r#"{"a":{"N":"2"}}"#, r#"{"L":[{"S":"dog"}]}"#).unwrap_err(),
        mismatch
    );
    assert!(
        add(r#"{"a":{"N":"9e125"}}"#, r#"{"N":"9e125"}"#)
            .unwrap_err()
            .contains("overflow")
    );
}

#[test]
fn attributes_to_get() {
    let doc = item(r#"{"p":{"S":"k"},"c":{"S":"s"},"a":{"S":"hello"},"a.b":{"N":"1"}}"#);
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let p = legacy::attributes_to_get(&names(&["c", "a", "nonexistent", "a.b"])).unwrap();
    assert_eq!(
        p.apply(&doc),
        item(r#"{"c":{"S":"s"},"a":{"S":"hello"},"a.b":{"N":"1"}}"#)
    );
    assert_eq!(
        message(legacy::attributes_to_get(&names(&["a", "a"])).unwrap_err()),
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
    assert!(message(legacy::attributes_to_get(&[]).unwrap_err()).contains("attributesToGet"));
    assert_eq!(
        message(legacy::attributes_to_get(&names(&[""])).unwrap_err()),
        "Empty attribute name"
    );
}
