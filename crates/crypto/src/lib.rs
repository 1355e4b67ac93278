//! Crypto adapters: argon2id password hashing, JWT access tokens, opaque random tokens, and key files.

mod jwt;
mod key_file;
mod password;
mod random_tokens;

pub use jwt::{JwtAccessTokens, JwtSettings};
pub use key_file::load_or_create_key;
pub use password::{Argon2Hasher, Argon2Settings};
pub use random_tokens::RandomSecretTokens;
