-- Portable types on purpose: ids are UUIDv7 text, timestamps RFC 3339 UTC text with a fixed width
-- (so text order is time order), JSON as text. The PostgreSQL migration mirrors this one.
CREATE TABLE vendors (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    legal_name TEXT,
    website TEXT,
    description TEXT,
    status TEXT NOT NULL,
    owner_email TEXT,
    handles_pi BOOLEAN NOT NULL,
    pi_elements TEXT NOT NULL,
    records_estimate BIGINT,
    access TEXT NOT NULL,
    criticality TEXT NOT NULL,
    risk_tier INTEGER NOT NULL,
    tags TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT
);
CREATE UNIQUE INDEX vendors_active_name ON vendors (name_key) WHERE archived_at IS NULL;
CREATE INDEX vendors_by_name ON vendors (name_key, id);
CREATE INDEX vendors_by_created ON vendors (created_at, id);
CREATE INDEX vendors_by_status ON vendors (status, name_key, id);
CREATE INDEX vendors_by_tier ON vendors (risk_tier, name_key, id);
CREATE INDEX vendors_by_pi ON vendors (handles_pi, name_key, id);

-- The vendor's sort keys are copied here so that a tag-filtered page walks one index in order
-- and stops after a page, whatever the table size; they are rewritten with the vendor.
CREATE TABLE vendor_tags (
    vendor_id TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (vendor_id, tag)
);
CREATE INDEX vendor_tags_by_name ON vendor_tags (tag, name_key, vendor_id);
CREATE INDEX vendor_tags_by_created ON vendor_tags (tag, created_at, vendor_id);

CREATE TABLE vendor_contacts (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    role TEXT NOT NULL,
    phone TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX vendor_contacts_email ON vendor_contacts (vendor_id, email_key);
CREATE INDEX vendor_contacts_by_vendor ON vendor_contacts (vendor_id, id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_sub TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    request_id TEXT
);
CREATE INDEX audit_events_by_subject ON audit_events (subject_type, subject_id, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor_sub, id);

-- Side effects (webhooks) are written here in the business transaction and delivered later.
CREATE TABLE outbox_events (
    id TEXT PRIMARY KEY NOT NULL,
    event_type TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);
CREATE INDEX outbox_events_by_subject ON outbox_events (subject_type, subject_id, id);

CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
