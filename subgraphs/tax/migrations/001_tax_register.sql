CREATE TABLE taxpayer (
  person_id     text PRIMARY KEY,
  residency     text NOT NULL CHECK (residency IN ('resident', 'non_resident')),
  country       text NOT NULL,     -- ISO 3166-1 alpha-3 of tax residence
  insured_years integer NOT NULL DEFAULT 0 CHECK (insured_years >= 0)
);

CREATE TABLE employer (
  id            text PRIMARY KEY,  -- business register code
  name          text NOT NULL
);

CREATE TABLE employment (
  person_id   text NOT NULL,
  employer_id text NOT NULL REFERENCES employer (id),
  since       date NOT NULL,
  until       date,
  PRIMARY KEY (person_id, employer_id, since)
);

-- Yearly taxable income by kind, as declared and cross-checked.
CREATE TABLE income (
  person_id text NOT NULL,
  year      integer NOT NULL,
  kind      text NOT NULL CHECK (kind IN ('employment', 'self_employment', 'capital')),
  amount    numeric(12, 2) NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (person_id, year, kind)
);

CREATE TABLE assessment (
  person_id      text NOT NULL,
  year           integer NOT NULL,
  taxable_income numeric(12, 2) NOT NULL,
  assessed_tax   numeric(12, 2) NOT NULL,
  withheld_tax   numeric(12, 2) NOT NULL,
  assessed_on    date NOT NULL,
  PRIMARY KEY (person_id, year)
);
