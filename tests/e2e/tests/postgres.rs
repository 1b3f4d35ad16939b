//! unkai over PostgreSQL: one node, and two nodes sharing one database.
#![allow(clippy::unwrap_used)]

use aws_sdk_sts::error::ProvideErrorMetadata;
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
