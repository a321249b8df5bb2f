-- A caseworker decides each contest (GDPR art. 22(3): human intervention):
-- upheld (a closed offer reopened for the person to decide again, an open one
-- granted) or rejected with the reason the person is told. Who decided, when,
-- and the decision's reference number are kept with it.
ALTER TABLE offer_contest
  ADD COLUMN outcome            text CHECK (outcome IN ('upheld', 'rejected')),
  ADD COLUMN decision_reason    text,
  ADD COLUMN decided_by         text,
  ADD COLUMN decided_at         timestamptz,
  ADD COLUMN decision_reference text UNIQUE,
  ADD CONSTRAINT offer_contest_decided_check CHECK ((status = 'resolved') = (outcome IS NOT NULL AND decided_by IS NOT NULL AND decided_at IS NOT NULL)),
  ADD CONSTRAINT offer_contest_rejection_reason_check CHECK (outcome IS DISTINCT FROM 'rejected' OR decision_reason IS NOT NULL);
CREATE INDEX offer_contest_decided_idx ON offer_contest (decided_at DESC) WHERE status = 'resolved';

-- The person is told the outcome in their inbox.
ALTER TABLE inbox_message DROP CONSTRAINT inbox_message_kind_check;
ALTER TABLE inbox_message ADD CONSTRAINT inbox_message_kind_check
  CHECK (kind IN ('offer_proposed', 'granted_automatically', 'receipt', 'preference', 'contest_decision'));

-- The contest's own reference number (given in the receipt), kept with it for the caseworker.
ALTER TABLE offer_contest ADD COLUMN reference text UNIQUE;
