
-- Audit tables are append-only. The database itself refuses to change or
-- remove rows, whoever asks; retention purges drop whole expired partitions instead.
CREATE OR REPLACE FUNCTION charter_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION charter_audit_append_only();
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION charter_audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only
  BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION charter_audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION charter_audit_append_only();
