//! `unkai keys`: through the running server when there is one (the embedded store is then
//! locked by it), otherwise directly in the store.

use anyhow::{Result, bail};
use unkai_iam::Iam;

use crate::client::{self, Client};
use crate::{KeysCommand, load_config};

/// A key as the CLI shows it.
struct Key {
    id: String,
    status: String,
    created: String,
}

enum Backend {
    Remote(Client),
    Local(Iam, unkai_store::Kv),
}

const IAM_VERSION: &str = "2010-05-08";

impl Backend {
    async fn open(data: &crate::DataArgs) -> Result<Self> {
        let config = load_config(data)?;
        let dir = unkai_server::DataDir::new(&config.data_dir);
        if let (Some(server), Some(key)) = (dir.server(), dir.credentials())
            && let Some(client) = Client::connect(&server.endpoint, key, server.region).await
        {
            return Ok(Backend::Remote(client));
        }
        let kv = unkai_server::open_store(&config).await?;
        Ok(Backend::Local(unkai_server::iam(&config, kv.clone()), kv))
    }

    async fn create(&self, user: &str) -> Result<(String, String)> {
        match self {
            Backend::Remote(client) => {
                let exists = client
                    .query("iam", IAM_VERSION, "GetUser", &[("UserName", user)])
                    .await;
                if let Err(error) = exists {
                    if !error.to_string().starts_with("NoSuchEntity") {
                        return Err(error);
                    }
                    client
                        .query("iam", IAM_VERSION, "CreateUser", &[("UserName", user)])
                        .await?;
                }
                let document = client
                    .query("iam", IAM_VERSION, "CreateAccessKey", &[("UserName", user)])
                    .await?;
                match (
                    client::field(&document, "AccessKeyId"),
                    client::field(&document, "SecretAccessKey"),
                ) {
                    (Some(id), Some(secret)) => Ok((id, secret)),
                    _ => bail!("unkai answered CreateAccessKey without a key"),
                }
            }
            Backend::Local(iam, _) => {
                match iam.create_user(user, None).await {
                    Ok(_) | Err(unkai_iam::Error::EntityAlreadyExists(_)) => {}
                    Err(error) => return Err(error.into()),
                }
                let key = iam.create_access_key(user).await?;
                Ok((key.id, key.secret))
            }
        }
    }

    async fn list(&self, user: &str) -> Result<Vec<Key>> {
        match self {
            Backend::Remote(client) => {
                let document = client
                    .query("iam", IAM_VERSION, "ListAccessKeys", &[("UserName", user)])
                    .await?;
                Ok(client::elements(&document, "member")
                    .iter()
                    .map(|member| Key {
                        id: client::field(member, "AccessKeyId").unwrap_or_default(),
                        status: client::field(member, "Status").unwrap_or_default(),
                        created: client::field(member, "CreateDate").unwrap_or_default(),
                    })
                    .collect())
            }
            Backend::Local(iam, _) => Ok(iam
                .list_access_keys(user, None, 1000)
                .await?
                .keys
                .into_iter()
                .map(|key| Key {
                    id: key.id,
                    status: if key.active { "Active" } else { "Inactive" }.into(),
                    created: unkai_types::iso8601(key.created),
                })
                .collect()),
        }
    }

    async fn delete(&self, id: &str, user: &str) -> Result<()> {
        match self {
            Backend::Remote(client) => {
                client
                    .query(
                        "iam",
                        IAM_VERSION,
                        "DeleteAccessKey",
                        &[("AccessKeyId", id), ("UserName", user)],
                    )
                    .await?;
            }
            Backend::Local(iam, _) => iam.delete_access_key(id, user).await?,
        }
        Ok(())
    }

    /// Makes local changes durable.
    async fn close(self) -> Result<()> {
        if let Backend::Local(_, kv) = self {
            kv.close().await?;
        }
        Ok(())
    }
}

pub async fn run(command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Create { user, data } => {
            let backend = Backend::open(&data).await?;
            let (id, secret) = backend.create(&user).await?;
            backend.close().await?;
            println!("access key  {id}");
            println!("secret      {secret}");
            println!("user        {user}");
            println!("(the secret is not shown again; `unkai keys delete {id}` removes the key)");
        }
        KeysCommand::List { user, data } => {
            let backend = Backend::open(&data).await?;
            let keys = backend.list(&user).await?;
            backend.close().await?;
            if keys.is_empty() {
                println!("{user} has no access keys");
            }
            for key in keys {
                println!("{}  {:<8}  {}", key.id, key.status, key.created);
            }
        }
        KeysCommand::Delete {
            access_key_id,
            user,
            data,
        } => {
            let backend = Backend::open(&data).await?;
            backend.delete(&access_key_id, &user).await?;
            backend.close().await?;
            println!("deleted access key {access_key_id} of {user}");
        }
    }
    Ok(())
}
