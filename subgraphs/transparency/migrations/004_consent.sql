-- Consents people give partners (permissions/consent.ts decides what they
-- allow). Append-only history like the audit log: the application's role is
-- granted SELECT and INSERT only (the audit store's default privileges, see
-- platform/databases.ts), so a consent is never edited or deleted; a
-- revocation is a row of its own, at most one per consent.

CREATE TABLE consent (
  id                  uuid PRIMARY KEY,
  -- Whose data the partner may read (personal code).
  subject_id          text NOT NULL,
  -- Who agreed: the subject, or their guardian while the subject is a minor.
  granted_by          text NOT NULL,
  client              text NOT NULL,
  purpose             text NOT NULL,
  -- ["Citizen.givenName", ...]: the fields as the policy stated them when the consent was given.
  fields              jsonb NOT NULL,
  -- The purpose's description and legal basis as the policy stated them then ("kind: reference").
  purpose_description text NOT NULL,
  legal_basis         text NOT NULL,
  granted_at          timestamptz NOT NULL,
  -- Last civil day (platform/clock.ts) on which it holds.
  valid_until         date NOT NULL
);

CREATE INDEX consent_subject ON consent (subject_id, granted_at DESC);
CREATE INDEX consent_client_purpose ON consent (client, purpose);

CREATE TABLE consent_revocation (
  consent_id uuid PRIMARY KEY REFERENCES consent (id),
  revoked_at timestamptz NOT NULL,
  revoked_by text NOT NULL
);
