//! Crypto adapters: argon2id password hashing, JWT access tokens, opaque random tokens, API keys,
//! AES-256-GCM under a rotatable key ring, and key files.

mod api_key_format;
mod cipher;
mod jwt;
mod key_file;
mod password;
mod random_tokens;
mod totp;

pub use api_key_format::TntApiKeys;
pub use cipher::KeyRing;
pub use jwt::{JwtAccessTokens, JwtSettings};
pub use key_file::load_or_create_key;
pub use password::{Argon2Hasher, Argon2Settings};
pub use random_tokens::RandomSecretTokens;
pub use totp::TotpRfc6238;
