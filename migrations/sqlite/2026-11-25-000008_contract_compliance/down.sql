DROP TABLE contract_compliance;
