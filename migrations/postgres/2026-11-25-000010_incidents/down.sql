DROP INDEX audit_events_by_subject_id;
DROP TABLE incident_resident_counts;
DROP TABLE incidents;
