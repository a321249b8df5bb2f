-- The education register: who studies where, at which level, since when
-- (basic school, general upper secondary, vocational). One row per study
-- period; a study that has not ended has no end day.
CREATE TABLE study (
  person_id        text NOT NULL,
  institution_code text NOT NULL,
  institution_name text NOT NULL,
  level            text NOT NULL CHECK (level IN ('basic', 'general_secondary', 'vocational')),
  since            date NOT NULL,
  until            date,
  PRIMARY KEY (person_id, institution_code, since),
  CHECK (until IS NULL OR until > since)
);
CREATE INDEX study_person_idx ON study (person_id);
