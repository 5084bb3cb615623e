DROP INDEX outbox_events_pending;
ALTER TABLE outbox_events DROP COLUMN fanned_out_at;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
