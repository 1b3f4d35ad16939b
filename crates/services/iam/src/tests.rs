use unkai_edge::compat;
use unkai_store_embedded::{Embedded, Options};

use super::*;

fn iam(dir: &tempfile::TempDir) -> Iam {
    let kv = Kv::new(Embedded::open(Options::new(dir.path())).unwrap());
    Iam::new(kv, Clock::system(), "123456789012")
}

#[tokio::test(flavor = "multi_thread")]
async fn bootstrap_creates_the_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let iam = iam(&dir);
    let key = iam
        .bootstrap()
        .await
        .unwrap()
        .expect("first start creates a key");
    assert_eq!(key.user, ADMIN);
    assert!(iam.bootstrap().await.unwrap().is_none());
    let identity = unkai_edge::Credentials::lookup(&*iam.keys(), &key.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.secret, key.secret);
    assert_eq!(identity.caller.arn, "arn:aws:iam::123456789012:user/admin");
}

#[tokio::test(flavor = "multi_thread")]
async fn users_and_keys_follow_aws_rules() {
    let dir = tempfile::tempdir().unwrap();
    let iam = iam(&dir);
    iam.create_user("Alice", None).await.unwrap();
    let taken = iam.create_user("alice", None).await.unwrap_err();
    assert_eq!(taken.to_string(), "User with name Alice already exists.");
    let first = iam.create_access_key("alice").await.unwrap();
    iam.create_access_key("ALICE").await.unwrap();
    let third = iam.create_access_key("alice").await.unwrap_err();
    assert_eq!(
        third.to_string(),
        "Cannot exceed quota for AccessKeysPerUser: 2"
    );
    let conflict = iam.delete_user("alice").await.unwrap_err();
    assert!(matches!(conflict, Error::DeleteConflict(_)));
    iam.update_access_key(&first.id, "alice", false)
        .await
        .unwrap();
    assert!(
        unkai_edge::Credentials::lookup(&*iam.keys(), &first.id)
            .await
            .unwrap()
            .is_none()
    );
    let page = iam.list_access_keys("alice", None, 1).await.unwrap();
    assert_eq!(page.keys.len(), 1);
    let rest = iam
        .list_access_keys("alice", page.marker.as_deref(), 100)
        .await
        .unwrap();
    assert_eq!(rest.keys.len(), 1);
    assert!(rest.marker.is_none());
    for key in page.keys.iter().chain(&rest.keys) {
        iam.delete_access_key(&key.id, "alice").await.unwrap();
    }
    assert_eq!(iam.check_integrity().await.unwrap(), Vec::<String>::new());
    iam.delete_user("alice").await.unwrap();
    let missing = iam.get_user("alice").await.unwrap_err();
    assert_eq!(
        missing.to_string(),
        "The user with name alice cannot be found."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn users_list_in_pages_filtered_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let iam = iam(&dir);
    for n in 0..7 {
        let path = if n % 2 == 0 { "/even/" } else { "/odd/" };
        iam.create_user(&format!("user{n}"), Some(path))
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let page = iam
            .list_users("/even/", marker.as_deref(), 2)
            .await
            .unwrap();
        names.extend(page.users.into_iter().map(|u| u.name));
        match page.marker {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    assert_eq!(names, ["user0", "user2", "user4", "user6"]);
}

#[test]
fn compatibility_table_is_current() {
    let table = compat::table(
        ServiceId::Iam.info(),
        Operation::ALL.iter().map(|op| (op.name(), op.support())),
    );
    compat::check_file(&unkai_testkit::repo_root(), "docs/compat/iam.md", &table);
}
