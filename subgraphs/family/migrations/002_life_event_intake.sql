-- Life events received from the population register (via the relay), by the
-- register's event id: a re-delivered event is recognised and changes nothing.
CREATE TABLE processed_life_event (
  event_id     text PRIMARY KEY,
  kind         text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
