use std::{path::PathBuf, sync::Arc, time::Duration};

use object_store::{
    ClientOptions, ObjectStore, RetryConfig, aws::AmazonS3Builder, local::LocalFileSystem, memory::InMemory,
    path::Path, prefix::PrefixStore,
};

/// Connection settings for `s3://` URLs. Unset fields fall back to the usual `AWS_*` variables.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// Custom endpoint (`http://127.0.0.1:9000` for MinIO); `None` means AWS.
    pub endpoint: Option<String>,
    /// Region name.
    pub region: Option<String>,
    /// Access key id.
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<String>,
    /// Address buckets as `endpoint/bucket` rather than `bucket.endpoint` (MinIO needs this).
    pub path_style: bool,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Retries of a failed request before giving up.
    pub max_retries: usize,
}

/// Why a storage URL could not be turned into a store.
#[derive(Debug, thiserror::Error)]
pub enum StorageUrlError {
    /// The URL names a scheme this build does not support.
    #[error("unsupported storage URL scheme {0:?} (use file://, s3:// or memory://)")]
    UnsupportedScheme(String),
    /// The URL is malformed.
    #[error("invalid storage URL: {0}")]
    Invalid(String),
    /// The store could not be set up (directory not creatable, bad S3 settings…).
    #[error("cannot open storage: {0}")]
    Open(String),
}

/// Builds the object store `url` names.
///
/// A local directory is created when missing. An `s3://bucket/prefix` URL keeps every object under
/// `prefix`, so one bucket can serve several installs.
pub fn open_object_store(url: &str, s3: &S3Options) -> Result<Arc<dyn ObjectStore>, StorageUrlError> {
    if url == "memory://" || url == "memory:" {
        return Ok(Arc::new(InMemory::new()));
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        return open_s3(rest, s3);
    }
    let dir = match url.strip_prefix("file://") {
        Some(path) => PathBuf::from(path),
        None if url.contains("://") => {
            let scheme = url.split("://").next().unwrap_or_default();
            return Err(StorageUrlError::UnsupportedScheme(scheme.to_owned()));
        }
        None => PathBuf::from(url),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|error| StorageUrlError::Open(format!("{}: {error}", dir.display())))?;
    let local = LocalFileSystem::new_with_prefix(&dir)
        .map_err(|error| StorageUrlError::Open(error.to_string()))?
        // Objects appear whole or not at all.
        .with_automatic_cleanup(true);
    Ok(Arc::new(local))
}

fn open_s3(rest: &str, options: &S3Options) -> Result<Arc<dyn ObjectStore>, StorageUrlError> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(StorageUrlError::Invalid("s3:// URL needs a bucket".into()));
    }
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_virtual_hosted_style_request(!options.path_style)
        .with_client_options(
            ClientOptions::new()
                .with_timeout(options.request_timeout)
                .with_connect_timeout(options.request_timeout),
        )
        .with_retry(RetryConfig {
            max_retries: options.max_retries,
            retry_timeout: options.request_timeout * (options.max_retries as u32 + 1),
            ..RetryConfig::default()
        });
    if let Some(endpoint) = &options.endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"));
    }
    if let Some(region) = &options.region {
        builder = builder.with_region(region);
    }
    if let Some(key) = &options.access_key_id {
        builder = builder.with_access_key_id(key);
    }
    if let Some(secret) = &options.secret_access_key {
        builder = builder.with_secret_access_key(secret);
    }
    let s3 = builder
        .build()
        .map_err(|error| StorageUrlError::Open(error.to_string()))?;
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        Ok(Arc::new(s3))
    } else {
        Ok(Arc::new(PrefixStore::new(s3, Path::from(prefix))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_schemes() {
        let error = open_object_store("gs://bucket", &S3Options::default()).err();
        assert!(matches!(error, Some(StorageUrlError::UnsupportedScheme(scheme)) if scheme == "gs"));
    }

    #[test]
    fn creates_a_missing_local_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("a/b/objects");
        open_object_store(&format!("file://{}", nested.display()), &S3Options::default()).expect("opens");
        assert!(nested.is_dir());
    }

    #[test]
    fn s3_needs_a_bucket() {
        assert!(matches!(
            open_object_store("s3:///prefix", &S3Options::default()),
            Err(StorageUrlError::Invalid(_))
        ));
    }
}
