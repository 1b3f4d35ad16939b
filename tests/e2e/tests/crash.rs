//! The crash test: the real binary under concurrent write load is killed with SIGKILL,
//! restarted, and every acknowledged write is present, with nothing half-written.
//!
//! The writes are IAM `CreateUser` (one record) and `CreateAccessKey` (a key record and its
//! user's index entry, in one transaction). Three kill/restart rounds, in both durability
//! settings of the embedded store (a process crash must lose nothing in either) and over
//! PostgreSQL; then the store is opened offline and IAM's records are checked against each
//! other.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sts::error::ProvideErrorMetadata;
use unkai_e2e::{Launch, Unkai};

const WORKERS: usize = 16;
const ROUNDS: usize = 3;

#[derive(Default)]
struct Acknowledged {
    users: Vec<String>,
    keys: Vec<(String, String, String)>,
}

/// Writes from `WORKERS` tasks until unkai stops answering; returns what was acknowledged.
async fn write_until_killed(unkai: &mut Unkai, round: usize) -> Acknowledged {
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let config = unkai.sdk_config();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let iam = aws_sdk_iam::Client::new(&config);
            let acknowledged = acknowledged.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let name = format!("r{round}-w{worker}-{n}");
                    if iam.create_user().user_name(&name).send().await.is_err() {
                        break;
                    }
                    acknowledged.lock().unwrap().users.push(name.clone());
                    let Ok(created) = iam.create_access_key().user_name(&name).send().await else {
                        break;
                    };
                    let key = created.access_key().unwrap();
                    acknowledged.lock().unwrap().keys.push((
                        name,
                        key.access_key_id().to_string(),
                        key.secret_access_key().to_string(),
                    ));
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    unkai.kill();
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    Arc::try_unwrap(acknowledged)
        .ok()
        .unwrap()
        .into_inner()
        .unwrap()
}

async fn survive_sigkill(durability: &'static str, launch: Launch) {
    let mut unkai = Unkai::launch(launch.clone());
    let mut all = Acknowledged::default();
    for round in 0..ROUNDS {
        let acknowledged = write_until_killed(&mut unkai, round).await;
        assert!(
            acknowledged.keys.len() > 10,
            "round {round}: too little load"
        );
        all.users.extend(acknowledged.users);
        all.keys.extend(acknowledged.keys);
        unkai.restart();

        let iam = aws_sdk_iam::Client::new(&unkai.sdk_config());
        let listed: Vec<String> = iam
            .list_users()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .unwrap()
            .into_iter()
            .map(|user| user.user_name().to_string())
            .collect();
        for user in &all.users {
            assert!(
                listed.contains(user),
                "{durability}: acknowledged user {user} is lost"
            );
        }
        for (user, id, secret) in &all.keys {
            let sts = aws_sdk_sts::Client::new(&unkai.sdk_config_with(id, secret));
            match sts.get_caller_identity().send().await {
                Ok(identity) => assert_eq!(
                    identity.arn().unwrap(),
                    format!("arn:aws:iam::000000000000:user/{user}")
                ),
                Err(error) => panic!(
                    "{durability}: acknowledged key {id} of {user} is lost: {:?}",
                    error.code()
                ),
            }
        }
        eprintln!(
            "{durability} round {round}: {} users and {} keys acknowledged so far, all present",
            all.users.len(),
            all.keys.len()
        );
    }
    assert!(unkai.stop_with("TERM").success());

    let mut config = unkai_server::Config {
        data_dir: unkai.data_dir().to_path_buf(),
        ..unkai_server::Config::default()
    };
    config.store.url = launch.store;
    let kv = unkai_server::open_store(&config).await.unwrap();
    let problems = unkai_server::iam(&config, kv.clone())
        .check_integrity()
        .await
        .unwrap();
    assert!(
        problems.is_empty(),
        "{durability}: half-written records: {problems:#?}"
    );
    kv.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_with_fsync() {
    let launch = Launch {
        durability: Some("fsync"),
        ..Launch::default()
    };
    survive_sigkill("fsync", launch).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_with_os_durability() {
    let launch = Launch {
        durability: Some("os"),
        ..Launch::default()
    };
    survive_sigkill("os", launch).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_with_postgres() {
    let launch = Launch {
        store: Some(unkai_e2e::postgres().create_database()),
        ..Launch::default()
    };
    survive_sigkill("postgres", launch).await;
}
