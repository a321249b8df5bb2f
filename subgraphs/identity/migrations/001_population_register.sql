-- Population register: one row per person ever registered.
CREATE TABLE citizen (
  id                 text PRIMARY KEY,            -- personal identification code
  given_name         text NOT NULL,
  family_name        text NOT NULL,
  date_of_birth      date NOT NULL,
  date_of_death      date,
  sex                text NOT NULL CHECK (sex IN ('F', 'M')),
  citizenship        text NOT NULL,               -- ISO 3166-1 alpha-3
  municipality       text,
  postal_code        text,
  street_address     text,
  email              text,
  phone              text,
  preferred_language text NOT NULL DEFAULT 'et',
  registered_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (date_of_death IS NULL OR date_of_death >= date_of_birth)
);
CREATE INDEX citizen_date_of_birth_idx ON citizen (date_of_birth);

-- Transactional outbox: events written in the same transaction as the change
-- they describe, so other agencies learn of a birth even if we crash after commit.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL,
  subject_id   text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
