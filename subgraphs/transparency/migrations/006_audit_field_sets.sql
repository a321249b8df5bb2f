-- Each record lists its distinct field lists once, and each subject points at
-- its own: { "id", "set": index into field_sets } instead of { "id", "fields" }.
-- A page of the offers batch names 10,000 people with a handful of distinct
-- field lists, which repeated per subject made 2.2 MB of JSON per record for
-- PostgreSQL to parse on every insert and keep for years.
-- Records written before keep their inline "fields" and no field_sets; a
-- subject may carry either form. The chain's hash covers the record as it
-- reads expanded (gateway/audit/chain.ts), so both forms verify alike. One
-- reader expands them, subjectsOf (platform/audit-row.ts): verify, the tree,
-- proofs, the tracker and the search all see what the hash covers.
ALTER TABLE audit_record ADD COLUMN field_sets jsonb;
ALTER TABLE audit_archive ADD COLUMN field_sets jsonb;
