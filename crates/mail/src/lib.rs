//! Mailer adapters: a file outbox (one `.eml` per message), SMTP, and a log that records that a
//! message went out without its body (bodies carry secret links).

mod file;
mod log;
mod message;
mod smtp;

pub use file::FileMailer;
pub use log::LogMailer;
pub use smtp::SmtpMailer;
