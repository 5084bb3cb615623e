-- Mirrored in migrations/postgres. Leases are fenced: a claim records who holds it (a token naming the process), every renewal
-- and the final record require that token, so a process whose lease was taken over can neither
-- extend it nor overwrite the new holder's outcome.
ALTER TABLE reminders ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;

-- The audit chain can be keyed: an event linked with OVERSEE_AUDIT_KEY names the key (an id
-- derived from it, never the key) and its hash is an HMAC. The head row remembers the key of the
-- last linked event, so a change of key is recorded as a chain event when it happens.
ALTER TABLE audit_events ADD COLUMN key_id TEXT;
ALTER TABLE audit_chain ADD COLUMN key_id TEXT;
-- Events recorded before the chain began are sealed by a chain event (their count and digest) when a
-- process first starts on this version; any other event without a seq is outside the chain.
CREATE INDEX audit_events_unchained ON audit_events (id) WHERE seq IS NULL;

-- The chain's head as published (daily and on demand): copies held elsewhere contradict a
-- chain rebuilt from scratch.
CREATE TABLE audit_anchors (
    id TEXT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    head TEXT NOT NULL,
    key_id TEXT,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE INDEX audit_anchors_by_time ON audit_anchors (published_at);

-- A response that carried a secret (a respondent's token, a signing secret) is not kept for
-- replay: only that the request was handled.
ALTER TABLE idempotency_keys ADD COLUMN redacted BOOLEAN NOT NULL DEFAULT FALSE;

-- Signed ticket events already received, by webhook-id: a captured event does not replay.
-- Kept past the signature's tolerance, then deleted by the server's housekeeping.
CREATE TABLE inbound_event_ids (
    id TEXT PRIMARY KEY NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX inbound_event_ids_by_age ON inbound_event_ids (received_at);

-- Bearer tokens for a subject issued before not_before are refused (POST /api/v1/auth/revocations).
CREATE TABLE token_revocations (
    sub TEXT PRIMARY KEY NOT NULL,
    not_before TEXT NOT NULL,
    revoked_by TEXT NOT NULL,
    revoked_at TEXT NOT NULL
);
