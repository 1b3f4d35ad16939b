//! unkai over PostgreSQL: one node, and two nodes sharing one database.
#![allow(clippy::unwrap_used)]

mod raw;

use std::time::Duration;

use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_sts::error::ProvideErrorMetadata;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value as Json, json};
use tokio_tungstenite::tungstenite::Message;
use unkai_e2e::{Launch, Unkai, postgres};

#[tokio::test]
async fn a_node_over_postgres_serves_and_reports_its_store() {
    let unkai = Unkai::launch(Launch {
        store: Some(postgres().create_database()),
        ..Launch::default()
    });
    assert!(
        unkai.banner().join("\n").contains("postgres at 127.0.0.1:"),
        "{:?}",
        unkai.banner()
    );
    let identity = aws_sdk_sts::Client::new(&unkai.sdk_config())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.arn(), Some("arn:aws:iam::000000000000:user/admin"));
}

#[tokio::test]
async fn two_nodes_share_users_and_keys() {
    let database = postgres().create_database();
    let first = Unkai::launch(Launch {
        store: Some(database.clone()),
        ..Launch::default()
    });
    let second = Unkai::launch(Launch {
        store: Some(database),
        ..Launch::default()
    });
    // The second node found the administrator already there and saved no key of its own.
    assert!(
        second.banner().join("\n").contains("none saved"),
        "{:?}",
        second.banner()
    );
    let (admin, secret) = first.credentials();

    let iam = aws_sdk_iam::Client::new(&first.sdk_config());
    iam.create_user().user_name("frank").send().await.unwrap();
    let key = iam
        .create_access_key()
        .user_name("frank")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();

    // A key created on one node signs requests to the other at once.
    let on_second = second.sdk_config_with(key.access_key_id(), key.secret_access_key());
    let identity = aws_sdk_sts::Client::new(&on_second)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.arn(), Some("arn:aws:iam::000000000000:user/frank"));

    // Deleting it on the second node takes effect there at once.
    let admin_on_second = aws_sdk_iam::Client::new(&second.sdk_config_with(&admin, &secret));
    admin_on_second
        .delete_access_key()
        .user_name("frank")
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap();
    let error = aws_sdk_sts::Client::new(&on_second)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidClientTokenId"));
}

type Client = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A WebSocket API without routes (no function: `$connect` lets every client in), deployed to
/// stage `prod`, created through `unkai` with the administrator's key `admin`.
async fn websocket_api(unkai: &Unkai, admin: (&str, &str)) -> String {
    let created = raw::signed(
        unkai,
        admin,
        "apigateway",
        "POST",
        None,
        "/v2/apis",
        &json!({"name": "ws", "protocolType": "WEBSOCKET",
                "routeSelectionExpression": "$request.body.action"})
        .to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let api: Json = serde_json::from_str(&created.body).unwrap();
    let api = api["apiId"].as_str().unwrap().to_owned();
    let stage = raw::signed(
        unkai,
        admin,
        "apigateway",
        "POST",
        None,
        &format!("/v2/apis/{api}/stages"),
        &json!({"stageName": "prod", "autoDeploy": true}).to_string(),
    )
    .await;
    assert_eq!(stage.status, 201, "{}", stage.body);
    api
}

/// A WebSocket client of `api`'s stage `prod` through `unkai`'s port, and its connection id.
async fn connect(unkai: &Unkai, api: &str) -> (Client, String) {
    let port = unkai.authority().rsplit_once(':').unwrap().1;
    let stream = tokio::net::TcpStream::connect(unkai.authority())
        .await
        .unwrap();
    let (mut client, _) = tokio_tungstenite::client_async(
        format!("ws://{api}.execute-api.localhost:{port}/prod"),
        stream,
    )
    .await
    .unwrap();
    // A message no route takes is answered with the connection's id, as AWS does.
    client.send(Message::text("hello")).await.unwrap();
    let answer = next(&mut client).await.unwrap().unwrap();
    let answer: Json = serde_json::from_str(answer.to_text().unwrap()).unwrap();
    assert_eq!(answer["message"], "Forbidden", "{answer}");
    (client, answer["connectionId"].as_str().unwrap().to_owned())
}

async fn next(
    client: &mut Client,
) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
    tokio::time::timeout(Duration::from_secs(30), client.next())
        .await
        .expect("a message within 30 s")
}

/// A connection id (base64) as a path segment.
fn encoded(id: &str) -> String {
    id.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// A WebSocket connection held by one node is reached through the `@connections` API of
/// another (the Rust SDK's `ApiGatewayManagementApi` client on the second node's endpoint, and
/// a signed request on the API's own host there): `PostToConnection` reaches the client,
/// `GetConnection` describes it, `DeleteConnection` closes it, after which it is
/// `GoneException`. A connection of a node that was killed is `GoneException` at once.
#[tokio::test]
async fn websocket_connections_are_reached_from_every_node() {
    let database = postgres().create_database();
    let mut first = Unkai::launch(Launch {
        store: Some(database.clone()),
        ..Launch::default()
    });
    let second = Unkai::launch(Launch {
        store: Some(database),
        ..Launch::default()
    });
    let (key, secret) = first.credentials();
    let api = websocket_api(&second, (&key, &secret)).await;
    let (mut client, id) = connect(&first, &api).await;

    let on_second = second.sdk_config_with(&key, &secret);
    let management = aws_sdk_apigatewaymanagement::Client::from_conf(
        aws_sdk_apigatewaymanagement::config::Builder::from(&on_second)
            .endpoint_url(format!("{}/prod", second.endpoint()))
            .build(),
    );
    management
        .post_to_connection()
        .connection_id(&id)
        .data(Blob::new("from the second node"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        next(&mut client).await.unwrap().unwrap(),
        Message::text("from the second node")
    );
    let described = management
        .get_connection()
        .connection_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .identity()
            .and_then(|identity| identity.source_ip()),
        Some("127.0.0.1")
    );
    assert!(described.connected_at().is_some() && described.last_active_at().is_some());

    // On the API's own host of the second node, signed for execute-api.
    let port = second.authority().rsplit_once(':').unwrap().1;
    let by_host = raw::signed(
        &second,
        (&key, &secret),
        "execute-api",
        "POST",
        Some(&format!("{api}.execute-api.localhost:{port}")),
        &format!("/prod/@connections/{}", encoded(&id)),
        "by the API's host",
    )
    .await;
    assert_eq!(by_host.status, 200, "{}", by_host.body);
    assert_eq!(
        next(&mut client).await.unwrap().unwrap(),
        Message::text("by the API's host")
    );

    management
        .delete_connection()
        .connection_id(&id)
        .send()
        .await
        .unwrap();
    assert!(matches!(
        next(&mut client).await,
        Some(Ok(Message::Close(_)) | Err(_)) | None
    ));
    let gone = management
        .post_to_connection()
        .connection_id(&id)
        .data(Blob::new("too late"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        gone.raw_response().map(|raw| raw.status().as_u16()),
        Some(410)
    );
    assert!(gone.into_service_error().is_gone_exception());

    // The first node dies with a connection open: the second node finds it refusing
    // connections and answers Gone at once.
    let (_held, held_id) = connect(&first, &api).await;
    first.kill();
    let gone = tokio::time::timeout(
        Duration::from_secs(10),
        management
            .post_to_connection()
            .connection_id(&held_id)
            .data(Blob::new("to a dead node"))
            .send(),
    )
    .await
    .expect("an answer within 10 s")
    .unwrap_err();
    assert_eq!(
        gone.raw_response().map(|raw| raw.status().as_u16()),
        Some(410)
    );
    assert!(gone.into_service_error().is_gone_exception());
}
