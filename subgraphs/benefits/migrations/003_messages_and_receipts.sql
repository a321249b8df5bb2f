-- What the board says to people travels as a message key with parameters
-- (the portal, letters and e-mails word it in the reader's language), signed
-- by the board (JWS). Decisions get a reference number and a receipt in the
-- inbox. One-off grants keep their sum and payment day. Each person chooses
-- how messages reach them.

ALTER TABLE inbox_message
  ADD COLUMN message_key text,
  ADD COLUMN params      jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN reference   text UNIQUE,
  ADD COLUMN sender      text NOT NULL DEFAULT 'benefits',
  -- Compact JWS (ES256) over the message as sent; written right after the row.
  ADD COLUMN signature   text;
UPDATE inbox_message SET message_key = CASE kind WHEN 'offer_proposed' THEN 'inbox.offerProposed' ELSE 'inbox.grantedAutomatically' END,
                         params = jsonb_build_object('programme', (SELECT programme_code FROM offer o WHERE o.id = offer_id), 'offer', offer_id::text);
ALTER TABLE inbox_message ALTER COLUMN message_key SET NOT NULL;

-- Receipts: several per offer over time (a decision, a contest); the one-per-offer rule stays for the offer letters.
ALTER TABLE inbox_message DROP CONSTRAINT inbox_message_kind_check;
ALTER TABLE inbox_message ADD CONSTRAINT inbox_message_kind_check
  CHECK (kind IN ('offer_proposed', 'granted_automatically', 'receipt', 'preference'));
ALTER TABLE inbox_message DROP CONSTRAINT inbox_message_offer_id_kind_key;
CREATE UNIQUE INDEX inbox_message_offer_letter_idx ON inbox_message (offer_id, kind) WHERE kind IN ('offer_proposed', 'granted_automatically');

-- Reference numbers of decisions: SKA-<year>-<n>.
CREATE SEQUENCE decision_reference_seq;
ALTER TABLE offer ADD COLUMN reference text UNIQUE;

-- One-off grants: the sum granted (monthly_amount is per month).
ALTER TABLE enrolment ADD COLUMN amount numeric(10, 2);

-- How messages reach the person: the portal only, the portal and e-mail, or paper letters.
ALTER TABLE beneficiary ADD COLUMN notification_channel text NOT NULL DEFAULT 'portal'
  CHECK (notification_channel IN ('portal', 'email', 'post'));

-- Opting out stops new proposals: what the board finds meanwhile is kept
-- 'withheld' (never shown, never sent), and proposed at once when the person
-- opts back in. 'withdrawn': the person took an open proposal back without
-- deciding on it; a later evaluation may offer it again.
ALTER TABLE offer DROP CONSTRAINT offer_status_check;
ALTER TABLE offer ADD CONSTRAINT offer_status_check
  CHECK (status IN ('proposed', 'accepted', 'declined', 'expired', 'granted_automatically', 'objected', 'withheld', 'withdrawn'));
