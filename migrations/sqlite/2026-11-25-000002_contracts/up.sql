-- Contracts with service providers, their dated events, clause types and clause records.
-- Calendar dates are 'YYYY-MM-DD' text (text order is date order). Mirrored in migrations/postgres.
CREATE TABLE contracts (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    entered_on TEXT NOT NULL,
    effective_on TEXT,
    ends_on TEXT,
    auto_renews BOOLEAN NOT NULL,
    renewal_term_months INTEGER,
    notice_days INTEGER,
    status TEXT NOT NULL,
    terminated_on TEXT,
    value_cents BIGINT,
    currency TEXT,
    owner_email TEXT,
    document_text TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX contracts_by_vendor ON contracts (vendor_id, id);
CREATE INDEX contracts_by_ends ON contracts (ends_on, id);

CREATE TABLE contract_events (
    id TEXT PRIMARY KEY NOT NULL,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    kind TEXT NOT NULL,
    executed_on TEXT NOT NULL,
    summary TEXT,
    clauses_added TEXT NOT NULL,
    clauses_removed TEXT NOT NULL,
    previous_ends_on TEXT,
    new_ends_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX contract_events_by_contract ON contract_events (contract_id, executed_on, id);

CREATE TABLE clause_types (
    key TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    supports TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE contract_clauses (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    clause_type TEXT NOT NULL REFERENCES clause_types (key),
    status TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    section_ref TEXT,
    excerpt TEXT,
    notes TEXT,
    deadline_amount INTEGER,
    deadline_unit TEXT,
    verified_by TEXT,
    verified_at TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (contract_id, clause_type)
);
CREATE INDEX contract_clauses_by_type ON contract_clauses (clause_type, contract_id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
