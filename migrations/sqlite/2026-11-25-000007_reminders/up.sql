-- Reminders: one row per (subject, kind, due date, lead), planned from the data and sent once.
-- Mirrored in migrations/postgres.
CREATE TABLE reminders (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    due_on TEXT NOT NULL,
    lead_days INTEGER NOT NULL,
    send_on TEXT NOT NULL,
    state TEXT NOT NULL,
    late BOOLEAN NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    last_error TEXT,
    reason TEXT,
    recipients TEXT,
    message_id TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX reminders_once ON reminders (subject_id, kind, due_on, lead_days);
CREATE INDEX reminders_due ON reminders (state, send_on, id);
CREATE INDEX reminders_by_vendor ON reminders (vendor_id, id);
