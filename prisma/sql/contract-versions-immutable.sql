
-- Contract versions are immutable (README "Contracts and four-eyes approvals": amendments create a new version; each is
-- hashed). The database refuses to change or remove a version, whoever asks.
CREATE OR REPLACE FUNCTION charter_contract_version_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'contract versions are immutable: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER contract_versions_immutable
  BEFORE UPDATE OR DELETE ON "contract_versions"
  FOR EACH ROW EXECUTE FUNCTION charter_contract_version_immutable();
CREATE TRIGGER contract_versions_no_truncate
  BEFORE TRUNCATE ON "contract_versions"
  FOR EACH STATEMENT EXECUTE FUNCTION charter_contract_version_immutable();
