DROP TABLE idempotency_keys;
DROP TABLE outbox_events;
DROP TABLE audit_events;
DROP TABLE vendor_contacts;
DROP TABLE vendor_tags;
DROP TABLE vendors;
