-- The last published 17.03(2)(f)2 status of each contract, so that a change can be announced
-- (contract.compliance_changed) in the transaction that caused it. Same in both databases.
CREATE TABLE contract_compliance (
    contract_id TEXT PRIMARY KEY NOT NULL REFERENCES contracts (id),
    status TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
