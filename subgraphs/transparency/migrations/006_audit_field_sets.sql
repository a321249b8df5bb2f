-- Each record lists its distinct field lists once, and each subject points at
-- its own: { "id", "set": index into field_sets } instead of { "id", "fields" }.
-- A page of the offers batch names 10,000 people with a handful of distinct
-- field lists, which repeated per subject made 2.2 MB of JSON per record for
-- PostgreSQL to parse on every insert and keep for years.
-- Records written before keep their inline "fields" and no field_sets; a
-- subject may carry either form. The chain's hash covers the record as it
-- reads expanded (gateway/audit/chain.ts), so both forms verify alike.
ALTER TABLE audit_record ADD COLUMN field_sets jsonb;
ALTER TABLE audit_archive ADD COLUMN field_sets jsonb;

-- One subject's fields, in either form (subjectsOf in platform/audit-row.ts is
-- the same rule for code that reads whole records). Anything else (a row edited
-- by hand) reads as no fields rather than failing the citizen's tracker; its
-- hash no longer matches, which `npm run audit -- verify` reports.
CREATE FUNCTION audit_subject_fields(subject jsonb, field_sets jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN subject ? 'fields' THEN CASE WHEN jsonb_typeof(subject -> 'fields') = 'array' THEN subject -> 'fields' ELSE '[]'::jsonb END
    WHEN jsonb_typeof(subject -> 'set') = 'number' AND subject ->> 'set' ~ '^[0-9]{1,9}$'
     AND jsonb_typeof(field_sets -> ((subject ->> 'set')::int)) = 'array' THEN field_sets -> ((subject ->> 'set')::int)
    ELSE '[]'::jsonb
  END;
