//! Function code: uploaded zips are extracted once, by content, under the code directory;
//! a version refers to its zip by SHA-256.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::store::Code;

/// The largest unzipped package Lambda accepts (250 MB).
const MAX_UNZIPPED: u64 = 262_144_000;

/// The largest zip uploaded in the request (50 MB).
const MAX_ZIPPED: usize = 52_428_800;

/// Code as a version stores it, with Lambda's `CodeSha256` (base64) and `CodeSize`.
pub(crate) struct Stored {
    pub code: Code,
    pub sha256_base64: String,
    pub size: u64,
}

/// Decodes a base64 zip, checks it, and extracts it under `dir` (unless a previous upload
/// did), returning what the version records.
pub(crate) fn store_zip(dir: &Path, base64_zip: &str, operation: &str) -> Result<Stored, Error> {
    let zip = base64::engine::general_purpose::STANDARD
        .decode(base64_zip.trim())
        .map_err(|_| {
            Error::InvalidParameterValueException(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
                    .into(),
            )
        })?;
    if zip.len() > MAX_ZIPPED {
        return Err(Error::RequestTooLargeException(format!(
            "Request must be smaller than {} bytes for the {operation} operation",
            MAX_ZIPPED + MAX_ZIPPED / 3
        )));
    }
    let digest = Sha256::digest(&zip);
    let hex = hex::encode(digest);
    let target = dir.join(&hex);
    if !target.join(".complete").exists() {
        extract(&zip, dir, &hex)?;
    }
    Ok(Stored {
        code: Code::Zip {
            sha256: hex,
            size: zip.len() as u64,
        },
        sha256_base64: base64::engine::general_purpose::STANDARD.encode(digest),
        size: zip.len() as u64,
    })
}

fn unzip_error() -> Error {
    Error::InvalidParameterValueException(
        "Could not unzip uploaded file. Please check your file, then try to upload again.".into(),
    )
}

fn extract(zip: &[u8], dir: &Path, hex: &str) -> Result<(), Error> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|_| unzip_error())?;
    let unzipped: u64 = (0..archive.len())
        .filter_map(|index| archive.by_index_raw(index).ok().map(|file| file.size()))
        .sum();
    if unzipped > MAX_UNZIPPED {
        return Err(Error::InvalidParameterValueException(format!(
            "Unzipped size must be smaller than {MAX_UNZIPPED} bytes"
        )));
    }
    let staging = dir.join(format!(".{hex}.{}", unkai_types::request_id()));
    let result = archive
        .extract(&staging)
        .map_err(|_| unzip_error())
        .and_then(|()| {
            std::fs::write(staging.join(".complete"), b"")
                .and_then(|()| match std::fs::rename(&staging, dir.join(hex)) {
                    // Another upload of the same zip won the race.
                    Err(_) if dir.join(hex).join(".complete").exists() => Ok(()),
                    other => other,
                })
                .map_err(|error| {
                    Error::ServiceException(format!("could not store the function code: {error}"))
                })
        });
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// A local directory used in place (`S3Bucket: hot-reload`, `S3Key: /path`).
pub(crate) fn directory(path: &str) -> Result<Stored, Error> {
    let path = PathBuf::from(path);
    if !path.is_absolute() || !path.is_dir() {
        return Err(Error::InvalidParameterValueException(format!(
            "Code directory {} does not exist; S3Bucket hot-reload takes an absolute directory \
             path as S3Key",
            path.display()
        )));
    }
    let digest = Sha256::digest(path.display().to_string().as_bytes());
    Ok(Stored {
        code: Code::Directory {
            path: path.display().to_string(),
        },
        sha256_base64: base64::engine::general_purpose::STANDARD.encode(digest),
        size: 0,
    })
}

/// Where a version's code is on this machine.
pub(crate) fn path(dir: &Path, code: &Code) -> PathBuf {
    match code {
        Code::Zip { sha256, .. } => dir.join(sha256),
        Code::Directory { path } => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip(files: &[(&str, &str, u32)]) -> String {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut buffer);
            for (name, text, mode) in files {
                let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
                writer.start_file(*name, options).unwrap();
                writer.write_all(text.as_bytes()).unwrap();
            }
            writer.finish().unwrap();
        }
        base64::engine::general_purpose::STANDARD.encode(buffer.into_inner())
    }

    #[test]
    fn zips_are_extracted_once_with_their_modes() {
        let dir = tempfile::tempdir().unwrap();
        let upload = zip(&[
            ("bootstrap", "#!/bin/sh\n", 0o755),
            ("lib/a.py", "x = 1\n", 0o644),
        ]);
        let stored = store_zip(dir.path(), &upload, "CreateFunction").unwrap();
        let root = path(dir.path(), &stored.code);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("bootstrap"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111);
        assert_eq!(
            std::fs::read_to_string(root.join("lib/a.py")).unwrap(),
            "x = 1\n"
        );
        let again = store_zip(dir.path(), &upload, "CreateFunction").unwrap();
        assert_eq!(again.sha256_base64, stored.sha256_base64);
        assert!(matches!(
            store_zip(dir.path(), "bm90IGEgemlw", "CreateFunction"),
            Err(Error::InvalidParameterValueException(_))
        ));
    }
}
