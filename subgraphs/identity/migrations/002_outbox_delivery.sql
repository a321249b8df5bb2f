-- Delivery state of the outbox: the life-event relay marks an event delivered
-- only after every consumer confirmed it (at-least-once), and is woken by a
-- NOTIFY on insert (sub-second), polling only as a fallback.
ALTER TABLE outbox ADD COLUMN delivered_at timestamptz;
ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX outbox_undelivered_idx ON outbox (id) WHERE delivered_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Delivered to listeners at commit, never for a rolled-back birth.
  PERFORM pg_notify('identity_outbox', NEW.id::text);
  RETURN NEW;
END $$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_notify();
