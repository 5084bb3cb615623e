-- Vendor incidents under 17.03(2)(j) and c. 93H §3 (DOMAIN.md section 7). Mirrored in
-- migrations/sqlite. Lists (PI elements, responsive actions) and the review are JSON text, read
-- and written whole with the incident.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    contract_id TEXT REFERENCES contracts (id),
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    discovered_on TEXT NOT NULL,
    discovered_on_approximate BOOLEAN NOT NULL,
    reported_to_us_on TEXT NOT NULL,
    pi_elements TEXT NOT NULL,
    data_encrypted BOOLEAN,
    key_compromised BOOLEAN,
    ma_residents_affected BIGINT,
    breach_determination TEXT NOT NULL,
    determination_rationale TEXT,
    ag_notified_on TEXT,
    ocabr_notified_on TEXT,
    residents_notified_on TEXT,
    credit_agencies_notified_on TEXT,
    law_enforcement_delay TEXT,
    credit_monitoring_offered BOOLEAN NOT NULL,
    credit_monitoring_months INTEGER,
    responsive_actions TEXT NOT NULL,
    review TEXT,
    closed_on TEXT,
    timeliness TEXT,
    late_report_finding_id TEXT REFERENCES findings (id),
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX incidents_by_vendor ON incidents (vendor_id, id);

-- Every value the Massachusetts resident count has had: it is often unknown at first and
-- revised as the investigation goes on (c. 93H §3 allows rolling updates).
CREATE TABLE incident_resident_counts (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    ma_residents_affected BIGINT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX incident_resident_counts_by_incident ON incident_resident_counts (incident_id, id);

-- The evidence pack gathers a vendor's audit events by subject id across subject types.
CREATE INDEX audit_events_by_subject_id ON audit_events (subject_id);
