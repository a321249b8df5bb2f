-- Proactive offers: what the board found a person entitled to without an
-- application, why (the facts and the rule), and what the person did with it.

-- One row per (person, programme, occasion). The occasion says WHAT is offered
-- (a birth, a monthly total), so re-evaluating the same situation hits the same
-- row (never a duplicate, never a resurrected decline), while a changed
-- situation (another child: a higher monthly total) is a new offer.
CREATE TABLE offer (
  id                 bigserial PRIMARY KEY,
  person_id          text NOT NULL,
  programme_code     text NOT NULL REFERENCES programme (code),
  occasion           text NOT NULL,
  status             text NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'expired', 'granted_automatically', 'objected')),
  amount             numeric(10, 2),
  -- The facts the finding rested on: [{agency, field, value}], values or safe summaries.
  facts              jsonb NOT NULL,
  rule               text NOT NULL,
  legal_source       text NOT NULL,
  evaluation_run     text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  decided_at         timestamptz,
  -- Automatic grants only: the last day the person may object.
  objection_deadline date,
  enrolment_id       bigint REFERENCES enrolment (id),
  UNIQUE (person_id, programme_code, occasion)
);
CREATE INDEX offer_person_idx ON offer (person_id);

-- A person disputes a finding: a human caseworker takes it from here (GDPR art. 22(3)).
CREATE TABLE offer_contest (
  id           bigserial PRIMARY KEY,
  offer_id     bigint NOT NULL REFERENCES offer (id),
  person_id    text NOT NULL,
  contested_by text NOT NULL,
  reason       text NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'in_review', 'resolved')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offer_contest_queue_idx ON offer_contest (created_at) WHERE status = 'queued';

-- The secure inbox. One message per (offer, kind): re-delivery never repeats one.
CREATE TABLE inbox_message (
  id         bigserial PRIMARY KEY,
  person_id  text NOT NULL,
  offer_id   bigint REFERENCES offer (id),
  kind       text NOT NULL CHECK (kind IN ('offer_proposed', 'granted_automatically')),
  subject    text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz,
  UNIQUE (offer_id, kind)
);
CREATE INDEX inbox_message_person_idx ON inbox_message (person_id, created_at DESC);

-- Batch evaluations: where a run got to, so an interrupted run resumes there.
-- checkpoint_page only grows: pages finish out of order, the checkpoint is the
-- end of the longest run of finished pages from the start.
CREATE TABLE evaluation_run (
  id              text PRIMARY KEY,
  started_at      timestamptz NOT NULL DEFAULT now(),
  checkpoint_page integer NOT NULL DEFAULT -1,
  checkpoint      text,
  evaluated       bigint NOT NULL DEFAULT 0,
  finished_at     timestamptz
);

-- An enrolment that an offer led to (accepted or granted automatically) names it.
ALTER TABLE enrolment ADD COLUMN offer_id bigint REFERENCES offer (id);
