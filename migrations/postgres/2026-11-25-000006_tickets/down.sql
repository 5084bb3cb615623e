DROP INDEX findings_by_ticket;
ALTER TABLE findings DROP COLUMN ticket_url;
ALTER TABLE findings DROP COLUMN ticket_key;
ALTER TABLE findings DROP COLUMN ticket_system;
