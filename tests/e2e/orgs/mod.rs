//! The Orgs, Members and invitations, and Roles sections of the contract.

mod audit;
mod authorization_matrix;
mod compat;
mod default_org;
mod invitations;
mod last_owner;
mod lifecycle;
