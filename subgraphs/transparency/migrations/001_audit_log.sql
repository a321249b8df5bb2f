-- The audit log: one row per operation that returned or tried to reach
-- personal data. Append-only (the application's role is granted SELECT and
-- INSERT only, see system/databases.ts) and hash-chained: each row's hash
-- covers its content, its sequence number and its predecessor's hash
-- (gateway/audit/chain.ts), so editing, deleting or reordering rows is found
-- by `npm run audit -- verify`. Never the values read: only which fields.

CREATE TABLE audit_record (
  seq            bigint PRIMARY KEY CHECK (seq > 0),
  recorded_at    timestamptz NOT NULL,
  request_id     text NOT NULL,
  client         text NOT NULL,
  actor          text NOT NULL,
  purpose        text NOT NULL,
  -- As the policy stated it when the record was written: "kind: reference".
  legal_basis    text,
  case_ref       text,
  operation_name text,
  -- SHA-256 of the operation text as the client sent it.
  operation_hash text NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('served', 'denied')),
  -- [{ "code": ..., "field": ... }] refusals of this request (never values).
  denials        jsonb NOT NULL DEFAULT '[]',
  -- [{ "id": personal code, "fields": [{ "field": "Citizen.givenName", "agency": "identity" }] }]
  subjects       jsonb NOT NULL DEFAULT '[]',
  -- Personal fields returned outside any citizen record (e.g. audit search results).
  other_fields   jsonb NOT NULL DEFAULT '[]',
  -- The subjects' ids again, as an array a GIN index can serve (a citizen's own log).
  subject_ids    text[] NOT NULL DEFAULT '{}',
  prev_hash      text NOT NULL,
  hash           text NOT NULL UNIQUE
);

CREATE INDEX audit_record_subjects ON audit_record USING gin (subject_ids);
CREATE INDEX audit_record_recorded_at ON audit_record (recorded_at);
CREATE INDEX audit_record_client ON audit_record (client, seq);
CREATE INDEX audit_record_purpose ON audit_record (purpose, seq);

-- Records moved out by `npm run audit -- archive` keep their exact columns, so
-- the archived part of the chain still verifies on its own.
CREATE TABLE audit_archive (LIKE audit_record INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE audit_archive ADD PRIMARY KEY (seq);

-- Where the live chain starts after an archive: the last archived record's
-- seq and hash, chained to the previous checkpoint by their own hash.
CREATE TABLE audit_checkpoint (
  through_seq      bigint PRIMARY KEY,
  through_hash     text NOT NULL,
  archived_records bigint NOT NULL,
  created_at       timestamptz NOT NULL,
  prev_checkpoint  text NOT NULL,
  hash             text NOT NULL UNIQUE
);

-- Only the owner (the archive command) writes archives and checkpoints; the
-- default privileges gave the application's role INSERT on every table: take
-- it back here, whatever that role is called.
DO $$
DECLARE grantee_name text;
BEGIN
  FOR grantee_name IN
    SELECT DISTINCT grantee FROM information_schema.role_table_grants
     WHERE table_name IN ('audit_archive', 'audit_checkpoint') AND privilege_type = 'INSERT' AND grantee <> current_user
  LOOP
    EXECUTE format('REVOKE INSERT ON audit_archive, audit_checkpoint FROM %I', grantee_name);
  END LOOP;
END $$;
