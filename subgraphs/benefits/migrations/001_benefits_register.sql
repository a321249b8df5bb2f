CREATE TABLE programme (
  code         text PRIMARY KEY,
  name         text NOT NULL,
  description  text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('monthly', 'one_off')),
  legal_source text NOT NULL
);

-- Everyone the social insurance board knows, with their preferences.
CREATE TABLE beneficiary (
  person_id          text PRIMARY KEY,
  proactive_opt_out  boolean NOT NULL DEFAULT false
);

CREATE TABLE enrolment (
  id             bigserial PRIMARY KEY,
  person_id      text NOT NULL,
  programme_code text NOT NULL REFERENCES programme (code),
  since          date NOT NULL,
  until          date,
  monthly_amount numeric(10, 2),
  status         text NOT NULL CHECK (status IN ('active', 'suspended', 'ended'))
);
CREATE INDEX enrolment_person_idx ON enrolment (person_id);

CREATE TABLE payment (
  id           bigserial PRIMARY KEY,
  enrolment_id bigint NOT NULL REFERENCES enrolment (id),
  person_id    text NOT NULL,
  paid_on      date NOT NULL,
  amount       numeric(10, 2) NOT NULL
);
CREATE INDEX payment_person_idx ON payment (person_id);

INSERT INTO programme (code, name, description, kind, legal_source) VALUES
  ('birth-grant', 'Birth grant', 'One-off grant for each newborn child.', 'one_off', 'EE Family Benefits Act § 12'),
  ('child-allowance', 'Child allowance', 'Monthly allowance for each child under 16 (19 in education).', 'monthly', 'EE Family Benefits Act § 18'),
  ('large-family-allowance', 'Large family allowance', 'Monthly allowance for families with three or more children.', 'monthly', 'EE Family Benefits Act § 21'),
  ('single-parent-allowance', 'Single parent allowance', 'Monthly allowance per child whose birth record names one parent.', 'monthly', 'EE Family Benefits Act § 22'),
  ('low-income-child-supplement', 'Low-income child supplement', 'Monthly supplement per child in a low-income household.', 'monthly', 'AT Familienlastenausgleichsgesetz § 9 (Kinderzuschlag)'),
  ('old-age-pension', 'Old-age pension', 'Monthly state pension from pension age with at least 15 insured years.', 'monthly', 'EE State Pension Insurance Act § 7'),
  ('energy-social-tariff', 'Energy social tariff', 'Discounted electricity and gas tariff for low-income households.', 'monthly', 'PT Decreto-Lei 138-A/2010');
