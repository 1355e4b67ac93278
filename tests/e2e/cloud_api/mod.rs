//! The OpenHands Cloud API: its routes in OpenHands' shapes, per org, and OpenHands' own clients
//! against them.

mod conversations;
mod device_flow;
mod profiles;
mod sandboxes;
mod sdk;
mod settings;
mod starts;
mod tenancy;
mod ts_client;
