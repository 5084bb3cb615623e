DROP TABLE settings;
DROP TABLE contract_clauses;
DROP TABLE clause_types;
DROP TABLE contract_events;
DROP TABLE contracts;
