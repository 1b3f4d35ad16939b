//! `GET /items/{id}`: one item of the table named by `TABLE_NAME`, as JSON; 404 when there is none.
//!
//! An API Gateway HTTP API (payload format 2.0) invokes it; the answer is the proxy integration's
//! `{statusCode, headers, body}`. The DynamoDB client comes from the SDK's default configuration:
//! region, credentials and `AWS_ENDPOINT_URL` from the environment, as Lambda provides them.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::{Map, Value, json};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = aws_config::load_from_env().await;
    let client = Client::new(&config);
    let table = std::env::var("TABLE_NAME")?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        get_item(&client, &table, event.payload)
    }))
    .await
}

async fn get_item(client: &Client, table: &str, event: Value) -> Result<Value, Diagnostic> {
    let Some(id) = event.pointer("/pathParameters/id").and_then(Value::as_str) else {
        return Ok(respond(400, &json!({"message": "missing item id"})));
    };
    let output = client
        .get_item()
        .table_name(table)
        .key("id", AttributeValue::S(id.to_owned()))
        .send()
        .await
        .map_err(|error| Diagnostic {
            error_type: "DynamoDbError".into(),
            error_message: aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string(),
        })?;
    Ok(match output.item {
        Some(item) => respond(200, &item_to_json(item)),
        None => respond(404, &json!({"message": format!("item {id} not found")})),
    })
}

/// An HTTP API proxy response with a JSON body.
fn respond(status: u16, body: &Value) -> Value {
    json!({
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": body.to_string(),
    })
}

fn item_to_json(item: HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.into_iter()
            .map(|(name, value)| (name, attribute_to_json(value)))
            .collect::<Map<_, _>>(),
    )
}

/// DynamoDB's typed attribute as plain JSON (what boto3's resource layer or lib-dynamodb give).
fn attribute_to_json(value: AttributeValue) -> Value {
    match value {
        AttributeValue::S(text) => Value::String(text),
        AttributeValue::N(number) => number_to_json(&number),
        AttributeValue::Bool(flag) => Value::Bool(flag),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::M(map) => item_to_json(map),
        AttributeValue::L(list) => Value::Array(list.into_iter().map(attribute_to_json).collect()),
        AttributeValue::Ss(texts) => json!(texts),
        AttributeValue::Ns(numbers) => {
            Value::Array(numbers.iter().map(|n| number_to_json(n)).collect())
        }
        AttributeValue::B(bytes) => json!(bytes.into_inner()),
        AttributeValue::Bs(list) => Value::Array(
            list.into_iter()
                .map(|bytes| json!(bytes.into_inner()))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// A DynamoDB number as a JSON number (an integer when it is one), or as its text when JSON
/// cannot hold it.
fn number_to_json(number: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(number)
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(number.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_become_plain_json() {
        let item = HashMap::from([
            ("id".to_owned(), AttributeValue::S("a".into())),
            ("price".to_owned(), AttributeValue::N("12.5".into())),
            ("stock".to_owned(), AttributeValue::N("3".into())),
            (
                "tags".to_owned(),
                AttributeValue::L(vec![AttributeValue::S("x".into())]),
            ),
        ]);
        assert_eq!(
            item_to_json(item),
            json!({"id": "a", "price": 12.5, "stock": 3, "tags": ["x"]})
        );
    }
}
