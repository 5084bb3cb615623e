DROP INDEX assessments_by_vendor_status;
DROP INDEX findings_by_vendor_status;
DROP TABLE vendor_score_snapshots;
