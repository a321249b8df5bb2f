-- The key the board seals its eligibility findings with (findings-seal.ts):
-- one row, written once by the first benefits process that needs it (from
-- Node's CSPRNG), read by every replica. It never leaves this database.
CREATE TABLE findings_seal_key (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  key bytea NOT NULL CHECK (octet_length(key) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
