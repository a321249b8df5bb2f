-- Each birth grant names its child: whether a child's grant was paid is known
-- per child, to whichever parent received it, so a later birth never hides an
-- earlier unpaid one.
ALTER TABLE enrolment ADD COLUMN child_id text;
CREATE INDEX enrolment_child_idx ON enrolment (child_id) WHERE child_id IS NOT NULL;

-- An automatic top-up ends the enrolment it tops up; an objection to the
-- top-up restores that enrolment as it was (status and end day).
ALTER TABLE enrolment
  ADD COLUMN superseded_by_offer bigint REFERENCES offer (id),
  ADD COLUMN status_before       text CHECK (status_before IN ('active', 'suspended')),
  ADD COLUMN until_before        date;
CREATE INDEX enrolment_superseded_idx ON enrolment (superseded_by_offer) WHERE superseded_by_offer IS NOT NULL;

-- A per-child offer (birth grant) names the child, and the child's other
-- parents, who see it too and may choose who receives it (default: the
-- person it was found for, the birth mother). The choice is recorded with who
-- made it and when, and gets a reference number.
ALTER TABLE offer
  ADD COLUMN child_id            text,
  ADD COLUMN shared_with         text[] NOT NULL DEFAULT '{}',
  ADD COLUMN recipient_id        text,
  ADD COLUMN recipient_chosen_by text,
  ADD COLUMN recipient_chosen_at timestamptz;
CREATE INDEX offer_shared_with_idx ON offer USING gin (shared_with);

-- Programmes modelled on another country's scheme say so.
UPDATE programme SET legal_source = 'Modelled on DE Bundeskindergeldgesetz § 6a (Kinderzuschlag); not Estonian law'
 WHERE code = 'low-income-child-supplement';
UPDATE programme SET legal_source = 'Modelled on PT Decreto-Lei 138-A/2010 art. 2; not Estonian law'
 WHERE code = 'energy-social-tariff';
