//! Black-box tests through HTTP, one binary. Runs on SQLite by default and on PostgreSQL when
//! OVERSEE_TEST_DATABASE_URL is set.

mod access;
mod archived;
mod assessments;
mod audit;
mod audit_chain;
mod compliance;
mod conformance;
mod contacts;
mod contracts;
mod errors;
mod evidence;
mod findings;
mod hostile;
mod idempotency;
mod incidents;
mod operations;
mod portal;
mod processes;
mod questionnaires;
mod reminders;
mod scores;
mod secrets_at_rest;
mod smtp;
mod spec;
mod storage;
mod support;
mod table_hold;
mod tokens;
mod vendors;
mod webhooks;
