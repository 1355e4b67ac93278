use crate::SecretString;

/// Mints and recognises API keys.
pub trait ApiKeyFormat: Send + Sync {
    /// A new key and its public prefix (`tnt_<id part>`).
    fn mint(&self) -> (String, SecretString);

    /// The prefix of a well-formed key (checksum verified); `None` for anything else.
    fn prefix_of(&self, key: &str) -> Option<String>;

    /// The hash stored in place of the key.
    fn hash(&self, key: &str) -> String;

    /// Whether `key` hashes to `stored_hash`, compared in constant time.
    fn matches(&self, key: &str, stored_hash: &str) -> bool;
}
