//! The OpenHands Cloud API: its routes in OpenHands' shapes, per org, and OpenHands' own clients
//! against them.

mod conversations;
mod sandboxes;
mod sdk;
mod settings;
mod starts;
mod ts_client;
