-- An enrolment's next payment is looked up per enrolment (loaders.ts,
-- enrolmentsOf): without this index each lookup scanned every payment, which
-- at 100,000 citizens made a page of the offers batch time out.
CREATE INDEX payment_enrolment_idx ON payment (enrolment_id, paid_on);
