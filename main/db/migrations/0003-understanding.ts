/**
 * @file Migration 3: what the understanding step derives from a photo, each piece knowing its maker,
 * and queue versions that can name a model.
 *
 * - `jobs.pipeline_version` becomes TEXT (SQLite cannot change a column's type, so the table is rebuilt
 *   with its rows, ids and indexes): the understanding step's version is `understand:1:<model id>:<variant>`,
 *   the built-in steps keep their numbers as text ('1').
 * - `tag_labels`: the tag taxonomy, seeded below from a copy of main/understanding/default-taxonomy.ts
 *   (copied so that editing the taxonomy file never changes this migration), editable by the user.
 * - `photo_captions`, `photo_texts` (text in the image): one row per photo, keyed by `photo_id` (so
 *   `rowid` = photo id, which an FTS5 table's triggers can use in the search migration). `by_user` = 1 is a
 *   user's edit: a model run never overwrites it. The maker (model_id, variant, version) is null then.
 * - `photo_tags`: a label on a photo with its calibrated score and raw mean log-prob. `source` 'model'
 *   rows are replaced by each run; 'user' rows are the user's decisions and a run never touches them:
 *   `removed` = 0 a tag the user added, `removed` = 1 a tag the user took off (the model never re-adds it).
 * - `photo_understanding`: the step's per-photo state: 'ok', 'empty' (no usable caption), 'runaway'
 *   (the caption hit the token limit), 'error' (with the message), and the maker and timings of the run.
 *
 * [Note: Derived data knows its maker] Every model-made row carries model_id, variant and the step
 * version that made it; `main/understanding/understanding.service.ts` re-checks the active model before
 * writing, and a model change re-queues the step (jobs.ts `revalidateStep`) while old rows stay visible
 * until a new run replaces them.
 */

/** The default taxonomy as of this migration: [group, labels], and the labels that mean text. */
const SEED_GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ['people', ['portrait', 'selfie', 'group photo', 'baby', 'child', 'family', 'couple', 'crowd']],
  ['animals', ['dog', 'cat', 'bird', 'horse', 'fish', 'insect', 'butterfly', 'monkey', 'wildlife', 'farm animals']],
  ['food and drink', ['food', 'meal', 'dessert', 'cake', 'fruit', 'vegetables', 'coffee', 'wine', 'cocktail', 'restaurant']],
  [
    'nature and places',
    ['beach', 'mountain', 'forest', 'lake', 'river', 'waterfall', 'desert', 'snow', 'flowers', 'garden', 'park', 'sky', 'landscape'],
  ],
  ['city and buildings', ['city', 'street', 'building', 'architecture', 'house', 'interior', 'church', 'bridge', 'skyline', 'monument']],
  ['events', ['wedding', 'birthday', 'party', 'concert', 'festival', 'graduation', 'christmas', 'holiday']],
  ['activities and sports', ['sport', 'football', 'running', 'cycling', 'swimming', 'hiking', 'skiing', 'travel', 'camping']],
  ['objects and vehicles', ['car', 'bicycle', 'boat', 'airplane', 'train', 'toy', 'book', 'phone', 'computer']],
  ['documents and screens', ['document', 'receipt', 'screenshot', 'sign', 'whiteboard', 'menu', 'ticket', 'map', 'handwriting']],
  ['art', ['painting', 'drawing', 'sculpture', 'illustration', 'graffiti']],
  ['time of day and weather', ['sunset', 'sunrise', 'night', 'rain', 'fog', 'clouds', 'blue sky', 'astronomy', 'space']],
];
const SEED_TEXT_LABELS = new Set([
  'document',
  'receipt',
  'screenshot',
  'sign',
  'whiteboard',
  'menu',
  'ticket',
  'map',
  'handwriting',
  'book',
]);

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The INSERT that seeds `tag_labels`, positions in taxonomy order. */
function seedLabels(): string {
  const rows: string[] = [];
  for (const [group, labels] of SEED_GROUPS) {
    for (const label of labels) {
      rows.push(`(${quote(label)}, ${quote(group)}, ${SEED_TEXT_LABELS.has(label) ? 1 : 0}, ${rows.length})`);
    }
  }
  return `INSERT INTO tag_labels (label, group_name, is_text_label, position) VALUES\n  ${rows.join(',\n  ')};`;
}

export const sql = /* sql */ `
CREATE TABLE jobs_new (
  id               INTEGER PRIMARY KEY,
  photo_id         INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  step             TEXT    NOT NULL,
  rank             INTEGER NOT NULL DEFAULT 0,
  state            TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'running', 'done', 'failed-retryable', 'failed-permanent')),
  priority         INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT,
  pipeline_version TEXT    NOT NULL,  -- '1' for built-in steps, 'understand:1:<model id>:<variant>'
  updated_at       INTEGER NOT NULL,
  UNIQUE (photo_id, step)
) STRICT;
INSERT INTO jobs_new (id, photo_id, step, rank, state, priority, attempts, last_error, pipeline_version, updated_at)
  SELECT id, photo_id, step, rank, state, priority, attempts, last_error, CAST(pipeline_version AS TEXT), updated_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_queue ON jobs (state, rank, priority DESC, id);
CREATE INDEX jobs_step ON jobs (step, state);

CREATE TABLE tag_labels (
  id            INTEGER PRIMARY KEY,
  label         TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (length(label) BETWEEN 1 AND 100),
  group_name    TEXT    NOT NULL DEFAULT 'my tags',
  is_text_label INTEGER NOT NULL DEFAULT 0 CHECK (is_text_label IN (0, 1)),  -- present: transcribe the text
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),        -- the model scores it
  user_added    INTEGER NOT NULL DEFAULT 0 CHECK (user_added IN (0, 1)),
  position      INTEGER NOT NULL
) STRICT;

CREATE TABLE photo_understanding (
  photo_id   INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
  state      TEXT    NOT NULL CHECK (state IN ('ok', 'empty', 'runaway', 'error')),
  error      TEXT,
  model_id   TEXT    NOT NULL,
  variant    TEXT    NOT NULL,
  version    TEXT    NOT NULL,
  demo       INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),         -- random-weight model: label the output
  calibrated INTEGER NOT NULL DEFAULT 0 CHECK (calibrated IN (0, 1)),
  num_tiles  INTEGER,
  ms         INTEGER,            -- this photo's share of its batch's wall time
  made_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE photo_captions (
  photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
  text     TEXT    NOT NULL,
  finish   TEXT    CHECK (finish IN ('stop', 'length', 'empty')),  -- null for a user's caption
  by_user  INTEGER NOT NULL DEFAULT 0 CHECK (by_user IN (0, 1)),
  model_id TEXT,
  variant  TEXT,
  version  TEXT,
  made_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE photo_texts (
  photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
  text     TEXT    NOT NULL,
  finish   TEXT    CHECK (finish IN ('stop', 'length', 'empty')),
  reason   TEXT,                 -- 'asked', or the text label that triggered the transcription
  by_user  INTEGER NOT NULL DEFAULT 0 CHECK (by_user IN (0, 1)),
  model_id TEXT,
  variant  TEXT,
  version  TEXT,
  made_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE photo_tags (
  photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  label_id  INTEGER NOT NULL REFERENCES tag_labels (id) ON DELETE CASCADE,
  source    TEXT    NOT NULL CHECK (source IN ('model', 'user')),
  removed   INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1) AND (removed = 0 OR source = 'user')),
  score     REAL,                -- calibrated: mean log-prob minus the content-free offset
  raw_score REAL,                -- mean log-prob per label token
  model_id  TEXT,
  variant   TEXT,
  version   TEXT,
  made_at   INTEGER NOT NULL,
  PRIMARY KEY (photo_id, label_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX photo_tags_label ON photo_tags (label_id, photo_id) WHERE removed = 0;

${seedLabels()}
`;
