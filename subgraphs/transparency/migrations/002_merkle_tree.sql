-- The Merkle tree beside the hash chain (gateway/audit/README.md): leaf i is
-- audit record seq i + 1, hashed as platform/tlog/leaf.ts says. Written by
-- the gateway's checkpointer with the application's role, which may only
-- append (INSERT) and read, like the records themselves.

-- Every perfect subtree of the tree: node (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level). Level 0 holds the leaf hashes.
-- Proofs for any size are made of these (platform/tlog/merkle.ts).
CREATE TABLE audit_tree_node (
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx   bigint   NOT NULL CHECK (idx >= 0),
  hash  bytea    NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- Each record's random salt: its subjects' commitments and its sealed part
-- are salted with it, so that a proof given to one citizen says nothing about
-- the other people in the same record.
CREATE TABLE audit_leaf_salt (
  seq  bigint PRIMARY KEY CHECK (seq > 0),
  salt bytea  NOT NULL CHECK (length(salt) = 16)
);

-- Checkpoints the log signed (C2SP signed notes: origin, size, root hash;
-- the signature carries the time and the key id), at least every 10 seconds
-- while records arrive.
CREATE TABLE audit_tree_checkpoint (
  size      bigint PRIMARY KEY CHECK (size >= 0),
  root      bytea NOT NULL CHECK (length(root) = 32),
  note      text NOT NULL,
  signed_at timestamptz NOT NULL
);

-- Witnesses' cosignatures of those checkpoints (note signature lines).
CREATE TABLE audit_tree_cosignature (
  size        bigint NOT NULL REFERENCES audit_tree_checkpoint (size),
  witness     text NOT NULL,
  key_id      text NOT NULL,
  line        text NOT NULL,
  cosigned_at timestamptz NOT NULL,
  PRIMARY KEY (size, witness, key_id)
);

-- The citizen's tracker and the privacy officer's search read archived records too.
CREATE INDEX audit_archive_subjects ON audit_archive USING gin (subject_ids);
CREATE INDEX audit_archive_recorded_at ON audit_archive (recorded_at);
