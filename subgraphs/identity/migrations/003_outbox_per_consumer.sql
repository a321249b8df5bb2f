-- Per-consumer delivery of the outbox (events/): one row per event and consumer,
-- written by trigger in the same transaction as the event, so a consumer that
-- fails (or is dead-lettered) never holds back another. Relays claim rows with
-- FOR UPDATE SKIP LOCKED, so any number of them may run at once.
CREATE TABLE outbox_consumer (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$')
);
INSERT INTO outbox_consumer (name) VALUES ('family-register'), ('offers');

CREATE TABLE outbox_delivery (
  event_id        bigint NOT NULL REFERENCES outbox (id),
  consumer        text NOT NULL REFERENCES outbox_consumer (name),
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- The consumer's last error message (an operator's clue; never a token or payload).
  last_error      text,
  delivered_at    timestamptz,
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX outbox_delivery_pending_idx ON outbox_delivery (consumer, event_id) WHERE state = 'pending';
CREATE INDEX outbox_delivery_dead_idx ON outbox_delivery (consumer, event_id) WHERE state = 'dead';

CREATE FUNCTION outbox_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox_delivery (event_id, consumer) SELECT NEW.id, name FROM outbox_consumer;
  RETURN NEW;
END $$;
-- Named so that it fires before outbox_notify (triggers fire in name order).
CREATE TRIGGER outbox_fan_out AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_fan_out();

-- Events not yet delivered under the former single mark are owed to every consumer.
INSERT INTO outbox_delivery (event_id, consumer)
SELECT o.id, c.name FROM outbox o CROSS JOIN outbox_consumer c WHERE o.delivered_at IS NULL;

COMMENT ON COLUMN outbox.delivered_at IS 'set once every consumer''s delivery row is delivered (events/store.ts)';
COMMENT ON COLUMN outbox.attempts IS 'unused since 003: attempts are counted per consumer in outbox_delivery';
