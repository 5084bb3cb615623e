-- The ticket raised for a finding in a ticketing system. Mirrored in migrations/postgres.
ALTER TABLE findings ADD COLUMN ticket_system TEXT;
ALTER TABLE findings ADD COLUMN ticket_key TEXT;
ALTER TABLE findings ADD COLUMN ticket_url TEXT;
CREATE UNIQUE INDEX findings_by_ticket ON findings (ticket_system, ticket_key) WHERE ticket_key IS NOT NULL;
