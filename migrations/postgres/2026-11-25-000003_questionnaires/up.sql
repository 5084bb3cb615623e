-- Questionnaire templates, assessments, answers, evidence and findings. Mirrors migrations/sqlite.
-- A template's sections and questions are one JSON document: a published version never changes,
-- and answers refer to questions by their code within the template.
CREATE TABLE questionnaire_templates (
    id TEXT PRIMARY KEY NOT NULL,
    template_key TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    content TEXT NOT NULL,
    question_count INTEGER NOT NULL,
    published_at TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX questionnaire_templates_by_key ON questionnaire_templates (template_key, template_version);
-- One draft per template at a time: editing a published version starts the next draft.
CREATE UNIQUE INDEX questionnaire_templates_one_draft ON questionnaire_templates (template_key) WHERE status = 'draft';

CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    template_id TEXT NOT NULL REFERENCES questionnaire_templates (id),
    status TEXT NOT NULL,
    due_on TEXT NOT NULL,
    respondent_name TEXT NOT NULL,
    respondent_email TEXT NOT NULL,
    token_hash TEXT,
    token_expires_at TEXT,
    token_revoked_at TEXT,
    sent_at TEXT,
    submitted_at TEXT,
    decided_at TEXT,
    decided_by TEXT,
    decision_comment TEXT,
    score DOUBLE PRECISION,
    critical_failures INTEGER,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assessments_by_vendor ON assessments (vendor_id, id);
CREATE INDEX assessments_by_status ON assessments (status, id);
CREATE UNIQUE INDEX assessments_by_token ON assessments (token_hash);

CREATE TABLE assessment_answers (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    question_code TEXT NOT NULL,
    answer TEXT,
    comment TEXT,
    answered_at TEXT NOT NULL,
    review_status TEXT NOT NULL,
    review_comment TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    PRIMARY KEY (assessment_id, question_code)
);

CREATE TABLE assessment_evidence (
    id TEXT PRIMARY KEY NOT NULL,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    question_code TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX assessment_evidence_by_assessment ON assessment_evidence (assessment_id, question_code, id);

CREATE TABLE findings (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    assessment_id TEXT REFERENCES assessments (id),
    question_code TEXT,
    title TEXT NOT NULL,
    description TEXT,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on TEXT,
    owner_email TEXT,
    risk_justification TEXT,
    risk_approved_by TEXT,
    risk_accepted_at TEXT,
    resolved_at TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX findings_by_vendor ON findings (vendor_id, id);
CREATE INDEX findings_by_status ON findings (status, id);
CREATE INDEX findings_by_due ON findings (status, due_on, id);
