-- The offers batch on the job queue (offers/queue.ts): a run and its pages.
-- The pages are the run's checkpoint: a page is done once its findings were
-- recorded; a run is finished once it was scanned to the end and every page is
-- done. Page jobs live in pg-boss's own schema beside these tables, enqueued in
-- the same transaction as their page row, so a page is never lost or doubled.
CREATE TABLE offers_run (
  id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9:._-]{1,100}$'),
  page_size    integer NOT NULL CHECK (page_size BETWEEN 1 AND 1000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Where the scan stands: the cursor after the last page enqueued, and that page's number.
  scan_after   text,
  scan_pages   integer NOT NULL DEFAULT 0,
  scanned_at   timestamptz,
  finishing_at timestamptz,
  finished_at  timestamptz
);

CREATE TABLE offers_run_page (
  run_id     text NOT NULL REFERENCES offers_run (id),
  page       integer NOT NULL,
  after      text,
  citizens   integer,
  done_at    timestamptz,
  PRIMARY KEY (run_id, page)
);
CREATE INDEX offers_run_page_pending_idx ON offers_run_page (run_id) WHERE done_at IS NULL;
