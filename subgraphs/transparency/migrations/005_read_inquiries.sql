-- "Ask about this read": a person (or their representative) asks the data
-- protection officer about one entry of their data tracker; the officer
-- answers in the privacy console. Like the log, append-only: the application's
-- role may only INSERT and SELECT (default privileges), so a question or an
-- answer, once given, is never rewritten. One answer per question.
-- Ids are random uuids: the application's role has no sequence to use.
CREATE TABLE read_inquiry (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The audit record asked about (live or archived).
  seq        bigint NOT NULL CHECK (seq > 0),
  -- Whose tracker entry it is, and who asked (the person, or a parent for a child).
  subject_id text NOT NULL,
  asked_by   text NOT NULL,
  question   text NOT NULL CHECK (length(question) BETWEEN 1 AND 2000),
  asked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX read_inquiry_subject_idx ON read_inquiry (subject_id, asked_at DESC);
CREATE INDEX read_inquiry_asked_idx ON read_inquiry (asked_at DESC);

CREATE TABLE read_inquiry_answer (
  inquiry_id  uuid PRIMARY KEY REFERENCES read_inquiry (id),
  -- The privacy officer's staff id.
  answered_by text NOT NULL,
  answer      text NOT NULL CHECK (length(answer) BETWEEN 1 AND 4000),
  answered_at timestamptz NOT NULL DEFAULT now()
);
