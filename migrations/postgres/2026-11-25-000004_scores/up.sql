-- Capability score snapshots: written when an input changes the score, grade or a status. Mirrors migrations/sqlite.
CREATE TABLE vendor_score_snapshots (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    computed_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    grade TEXT NOT NULL,
    f1_status TEXT NOT NULL,
    f2_status TEXT NOT NULL,
    model_version TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX vendor_score_snapshots_by_vendor ON vendor_score_snapshots (vendor_id, id);
CREATE INDEX findings_by_vendor_status ON findings (vendor_id, status);
CREATE INDEX assessments_by_vendor_status ON assessments (vendor_id, status, decided_at);
