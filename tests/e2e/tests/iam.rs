//! IAM users and access keys through the official Rust SDK: what `unkai keys` and
//! `aws iam create-access-key` rely on.
#![allow(clippy::unwrap_used)]

use aws_sdk_iam::error::ProvideErrorMetadata;
use unkai_e2e::Unkai;

#[tokio::test]
async fn users_and_access_keys_live_and_die_as_on_aws() {
    let unkai = Unkai::start();
    let config = unkai.sdk_config();
    let iam = aws_sdk_iam::Client::new(&config);

    let created = iam.create_user().user_name("carol").send().await.unwrap();
    let user = created.user().unwrap();
    assert_eq!(user.arn(), "arn:aws:iam::000000000000:user/carol");
    assert_eq!(user.path(), "/");

    let taken = iam
        .create_user()
        .user_name("Carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("EntityAlreadyExists"));
    assert_eq!(
        taken.message(),
        Some("User with name carol already exists.")
    );
    assert!(
        taken
            .into_service_error()
            .is_entity_already_exists_exception()
    );

    let key = iam
        .create_access_key()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    assert!(key.access_key_id().starts_with("AKIA"));

    // The new key authenticates at once, as carol.
    let carol = unkai.sdk_config_with(key.access_key_id(), key.secret_access_key());
    let identity = aws_sdk_sts::Client::new(&carol)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.arn(), Some("arn:aws:iam::000000000000:user/carol"));
    // And, without a user name, acts on carol's own keys.
    let own = aws_sdk_iam::Client::new(&carol)
        .list_access_keys()
        .send()
        .await
        .unwrap();
    assert_eq!(own.access_key_metadata().len(), 1);

    iam.create_access_key()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let third = iam
        .create_access_key()
        .user_name("carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(third.code(), Some("LimitExceeded"));
    assert_eq!(
        third.message(),
        Some("Cannot exceed quota for AccessKeysPerUser: 2")
    );

    let conflict = iam
        .delete_user()
        .user_name("carol")
        .send()
        .await
        .unwrap_err();
    assert!(conflict.into_service_error().is_delete_conflict_exception());

    let listed = iam
        .list_access_keys()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.access_key_metadata().len(), 2);
    for metadata in listed.access_key_metadata() {
        iam.delete_access_key()
            .user_name("carol")
            .access_key_id(metadata.access_key_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    // A deleted key no longer authenticates.
    let gone = aws_sdk_sts::Client::new(&carol)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("InvalidClientTokenId"));

    iam.delete_user().user_name("carol").send().await.unwrap();
    let missing = iam.get_user().user_name("carol").send().await.unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"));
    assert_eq!(
        missing.message(),
        Some("The user with name carol cannot be found.")
    );
    assert_eq!(missing.raw_response().unwrap().status().as_u16(), 404);
}

#[tokio::test]
async fn list_users_paginates_with_markers() {
    let unkai = Unkai::start();
    let iam = aws_sdk_iam::Client::new(&unkai.sdk_config());
    for n in 0..5 {
        iam.create_user()
            .user_name(format!("u{n}"))
            .send()
            .await
            .unwrap();
    }
    let names: Vec<String> = iam
        .list_users()
        .max_items(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|user| user.user_name().to_string())
        .collect();
    assert_eq!(names, ["admin", "u0", "u1", "u2", "u3", "u4"]);
}

#[tokio::test]
async fn invalid_parameters_are_validation_errors() {
    let unkai = Unkai::start();
    let iam = aws_sdk_iam::Client::new(&unkai.sdk_config());
    let long = "x".repeat(65);
    let error = iam.create_user().user_name(&long).send().await.unwrap_err();
    assert_eq!(error.code(), Some("ValidationError"));
    assert_eq!(
        error.message(),
        Some(format!(
            "1 validation error detected: Value '{long}' at 'userName' failed to satisfy \
             constraint: Member must have length less than or equal to 64"
        ))
        .as_deref()
    );
    let error = iam.create_user().user_name("a b").send().await.unwrap_err();
    assert_eq!(error.code(), Some("ValidationError"));
    let error = iam.list_users().max_items(0).send().await.unwrap_err();
    assert_eq!(error.code(), Some("ValidationError"));
    let error = iam.create_group().group_name("g").send().await.unwrap_err();
    assert_eq!(error.code(), Some("NotImplemented"));
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 501);
}
