DROP TABLE token_revocations;
DROP TABLE inbound_event_ids;
ALTER TABLE idempotency_keys DROP COLUMN redacted;
DROP TABLE audit_anchors;
DROP INDEX audit_events_unchained;
ALTER TABLE audit_chain DROP COLUMN key_id;
ALTER TABLE audit_events DROP COLUMN key_id;
ALTER TABLE webhook_deliveries DROP COLUMN claimed_by;
ALTER TABLE reminders DROP COLUMN claimed_by;
