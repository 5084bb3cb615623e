-- A tamper-evident audit trail: each event carries its place in the chain (seq), the hash of the
-- event before it and its own hash (SHA-256 over a canonical encoding of the event and prev_hash).
-- audit_chain holds the head; updating it in every writing transaction also orders the writers.
-- Events recorded before this migration have no seq and stay outside the chain.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_by_seq ON audit_events (seq);
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    head TEXT NOT NULL
);
INSERT INTO audit_chain (id, seq, head) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
