-- Messages that reach everyone: besides the inbox, the board posts a paper
-- letter (citizens who chose letters, and anyone who left a message unread
-- for 14 days) and sends an e-mail (citizens who chose e-mail). The delivery
-- job (subgraphs/benefits/delivery/) records each in the inbox message itself,
-- so the inbox can say "sent by post on ...".
ALTER TABLE inbox_message
  ADD COLUMN posted_on  date,
  ADD COLUMN emailed_on date;

-- A preference covers the messages written after it was chosen: choosing
-- letters does not post the whole history of the inbox.
ALTER TABLE beneficiary ADD COLUMN notification_channel_since timestamptz NOT NULL DEFAULT now();

-- The print queue: one row per letter, its PDF in the folder the print
-- provider collects (PRINT_QUEUE_DIR). The provider sets collected_at.
CREATE TABLE print_queue (
  id           bigserial PRIMARY KEY,
  message_id   bigint NOT NULL UNIQUE REFERENCES inbox_message (id),
  person_id    text NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('preference', 'no-email', 'unread')),
  file_name    text NOT NULL,
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  pages        int  NOT NULL CHECK (pages > 0),
  queued_at    timestamptz NOT NULL DEFAULT now(),
  collected_at timestamptz
);
CREATE INDEX print_queue_waiting_idx ON print_queue (queued_at) WHERE collected_at IS NULL;

-- What the delivery job looks at: signed messages not yet posted.
CREATE INDEX inbox_message_not_posted_idx ON inbox_message (created_at) WHERE posted_on IS NULL;
