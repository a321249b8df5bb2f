-- The trace id of the request a record was written for (OpenTelemetry, when
-- tracing is on): an operator's way from an audit record to the request's
-- trace across the gateway, the subgraphs and their SQL. Not part of the
-- record's hash or its Merkle leaf: a pointer for operators, not evidence.
ALTER TABLE audit_record ADD COLUMN trace_id text CHECK (trace_id IS NULL OR trace_id ~ '^[0-9a-f]{32}$');
ALTER TABLE audit_archive ADD COLUMN trace_id text;
