-- Family register: civil status of every person the register knows.
CREATE TABLE civil_status (
  person_id      text PRIMARY KEY,
  marital_status text NOT NULL CHECK (marital_status IN ('single', 'married', 'divorced', 'widowed'))
);

-- Parentage as recorded at birth (or adoption). A birth with one parent has one row.
CREATE TABLE parentage (
  parent_id   text NOT NULL,
  child_id    text NOT NULL,
  parent_role text NOT NULL CHECK (parent_role IN ('mother', 'father', 'parent')),
  PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX parentage_child_idx ON parentage (child_id);

CREATE TABLE partnership (
  id       bigserial PRIMARY KEY,
  person_a text NOT NULL,
  person_b text NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('marriage', 'registered_partnership')),
  since    date NOT NULL,
  until    date,
  CHECK (person_a <> person_b)
);
CREATE INDEX partnership_a_idx ON partnership (person_a);
CREATE INDEX partnership_b_idx ON partnership (person_b);

CREATE TABLE household_member (
  person_id    text PRIMARY KEY,
  household_id bigint NOT NULL
);
CREATE INDEX household_member_household_idx ON household_member (household_id);

-- Who may act for whom: parents of minors, and court-appointed guardians.
CREATE TABLE guardianship (
  guardian_id text NOT NULL,
  ward_id     text NOT NULL,
  basis       text NOT NULL CHECK (basis IN ('parent', 'court')),
  since       date NOT NULL,
  until       date,
  PRIMARY KEY (guardian_id, ward_id)
);
CREATE INDEX guardianship_ward_idx ON guardianship (ward_id);

CREATE TABLE life_event (
  id                bigserial PRIMARY KEY,
  person_id         text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('birth', 'marriage', 'divorce', 'death', 'move')),
  occurred_on       date NOT NULL,
  related_person_id text
);
CREATE INDEX life_event_person_idx ON life_event (person_id);
