/**
 * @file SQL for what the understanding step derives from photos (migration 0003): the per-photo state,
 * captions, text in the image, tags, and the tag taxonomy (`tag_labels`).
 *
 * Runs in main (and the CLI, host and tests). Policy — when to write, whose edit wins, what a re-run
 * clears — lives in main/understanding/understanding.service.ts; the rules that keep user edits are
 * enforced here too, in the statements themselves, so no caller can break them by accident:
 * a model write never touches a `by_user` caption or text, and never a 'user' tag row.
 */
import type { Db } from './open';

/** Who made a model result. */
export interface Maker {
  modelId: string;
  variant: string;
  version: string;
  demo: boolean;
}

export type AnswerFinish = 'stop' | 'length' | 'empty';
export type UnderstandingState = 'ok' | 'empty' | 'runaway' | 'error';

export interface StateRow {
  photo_id: number;
  state: UnderstandingState;
  error: string | null;
  model_id: string;
  variant: string;
  version: string;
  demo: 0 | 1;
  calibrated: 0 | 1;
  num_tiles: number | null;
  ms: number | null;
  made_at: number;
}

export interface TextRow {
  photo_id: number;
  text: string;
  finish: AnswerFinish | null;
  reason?: string | null;
  by_user: 0 | 1;
  model_id: string | null;
  variant: string | null;
  version: string | null;
  made_at: number;
}

export interface TagRow {
  label_id: number;
  label: string;
  group_name: string;
  source: 'model' | 'user';
  removed: 0 | 1;
  score: number | null;
  raw_score: number | null;
  model_id: string | null;
  variant: string | null;
  version: string | null;
  made_at: number;
}

export interface LabelRow {
  id: number;
  label: string;
  group_name: string;
  is_text_label: 0 | 1;
  enabled: 0 | 1;
  user_added: 0 | 1;
  position: number;
}

/** One photo's model output, ready to store. */
export interface ModelOutput {
  state: Exclude<UnderstandingState, 'error'>;
  calibrated: boolean;
  numTiles: number;
  ms: number;
  caption: { text: string; finish: AnswerFinish } | null;
  text: { text: string; finish: AnswerFinish; reason: string | null } | null;
  /** Tags by label id, with calibrated and raw scores (null for a tag a remote server chose: [Note: Remote tags]). */
  tags: { labelId: number; score: number | null; rawScore: number | null }[];
}

export type LabelPatch = Partial<{ label: string; group: string; isTextLabel: boolean; enabled: boolean; position: number }>;

export interface UnderstandingRepo {
  /** The photo's media kind, or null when there is no such photo. */
  photoKind(photoId: number): string | null;
  state(photoId: number): StateRow | null;
  caption(photoId: number): TextRow | null;
  text(photoId: number): TextRow | null;
  /** Every tag row of a photo (removed ones included), best score first. */
  tags(photoId: number): TagRow[];
  /** Stores a run's output in one transaction: state, caption and text unless the user's, model tags. */
  writeOutput(photoId: number, out: ModelOutput, maker: Maker, now: number): void;
  /** Records a photo the model could not understand; earlier results stay. */
  writeError(photoId: number, message: string, maker: Maker, now: number): void;
  /** The user's caption or text (null gives it back to the model: the user's row goes). */
  setUserCaption(photoId: number, text: string | null, now: number): void;
  setUserText(photoId: number, text: string | null, now: number): void;
  /** The user's decision about a tag: added (removed = false) or taken off (removed = true). */
  setUserTag(photoId: number, labelId: number, removed: boolean, now: number): void;
  /** Forgets model results (state, captions, texts, model tags) of these photos; user edits stay. */
  clearModelResults(photoIds: readonly number[]): void;
  labels(): LabelRow[];
  label(id: number): LabelRow | null;
  labelByName(label: string): LabelRow | null;
  addLabel(l: { label: string; group: string; isTextLabel: boolean; enabled: boolean; userAdded: boolean }): number;
  updateLabel(id: number, patch: LabelPatch): void;
}

const bit = (b: boolean) => (b ? 1 : 0);

/** Builds the repository over an open, migrated database. */
export function createUnderstandingRepo(db: Db): UnderstandingRepo {
  const kindStmt = db.prepare<[number], { kind: string }>('SELECT kind FROM photos WHERE id = ?');
  const stateStmt = db.prepare<[number], StateRow>('SELECT * FROM photo_understanding WHERE photo_id = ?');
  const captionStmt = db.prepare<[number], TextRow>('SELECT * FROM photo_captions WHERE photo_id = ?');
  const textStmt = db.prepare<[number], TextRow>('SELECT * FROM photo_texts WHERE photo_id = ?');
  const tagsStmt = db.prepare<[number], TagRow>(
    `SELECT t.label_id, l.label, l.group_name, t.source, t.removed, t.score, t.raw_score, t.model_id, t.variant, t.version, t.made_at
     FROM photo_tags t JOIN tag_labels l ON l.id = t.label_id WHERE t.photo_id = ?
     ORDER BY t.removed, t.source DESC, t.score DESC, l.position`,
  );
  const upsertState = db.prepare(
    `INSERT INTO photo_understanding (photo_id, state, error, model_id, variant, version, demo, calibrated, num_tiles, ms, made_at)
     VALUES (@photoId, @state, @error, @modelId, @variant, @version, @demo, @calibrated, @numTiles, @ms, @now)
     ON CONFLICT (photo_id) DO UPDATE SET state = excluded.state, error = excluded.error, model_id = excluded.model_id,
       variant = excluded.variant, version = excluded.version, demo = excluded.demo, calibrated = excluded.calibrated,
       num_tiles = excluded.num_tiles, ms = excluded.ms, made_at = excluded.made_at`,
  );
  // A model answer replaces a model answer, never the user's (the WHERE of the upsert).
  const modelCaption = db.prepare(
    `INSERT INTO photo_captions (photo_id, text, finish, by_user, model_id, variant, version, made_at)
     VALUES (@photoId, @text, @finish, 0, @modelId, @variant, @version, @now)
     ON CONFLICT (photo_id) DO UPDATE SET text = excluded.text, finish = excluded.finish, model_id = excluded.model_id,
       variant = excluded.variant, version = excluded.version, made_at = excluded.made_at
     WHERE photo_captions.by_user = 0`,
  );
  const modelText = db.prepare(
    `INSERT INTO photo_texts (photo_id, text, finish, reason, by_user, model_id, variant, version, made_at)
     VALUES (@photoId, @text, @finish, @reason, 0, @modelId, @variant, @version, @now)
     ON CONFLICT (photo_id) DO UPDATE SET text = excluded.text, finish = excluded.finish, reason = excluded.reason,
       model_id = excluded.model_id, variant = excluded.variant, version = excluded.version, made_at = excluded.made_at
     WHERE photo_texts.by_user = 0`,
  );
  const dropModelCaption = db.prepare<[number]>('DELETE FROM photo_captions WHERE photo_id = ? AND by_user = 0');
  const dropModelText = db.prepare<[number]>('DELETE FROM photo_texts WHERE photo_id = ? AND by_user = 0');
  const dropModelTags = db.prepare<[number]>("DELETE FROM photo_tags WHERE photo_id = ? AND source = 'model'");
  const dropState = db.prepare<[number]>('DELETE FROM photo_understanding WHERE photo_id = ?');
  // A user's row for the label (added or removed) wins: the model's tag is not inserted.
  const modelTag = db.prepare(
    `INSERT INTO photo_tags (photo_id, label_id, source, score, raw_score, model_id, variant, version, made_at)
     VALUES (@photoId, @labelId, 'model', @score, @rawScore, @modelId, @variant, @version, @now)
     ON CONFLICT (photo_id, label_id) DO NOTHING`,
  );
  const userCaption = db.prepare(
    `INSERT INTO photo_captions (photo_id, text, finish, by_user, made_at) VALUES (?, ?, NULL, 1, ?)
     ON CONFLICT (photo_id) DO UPDATE SET text = excluded.text, finish = NULL, by_user = 1, model_id = NULL, variant = NULL,
       version = NULL, made_at = excluded.made_at`,
  );
  const userText = db.prepare(
    `INSERT INTO photo_texts (photo_id, text, finish, reason, by_user, made_at) VALUES (?, ?, NULL, NULL, 1, ?)
     ON CONFLICT (photo_id) DO UPDATE SET text = excluded.text, finish = NULL, reason = NULL, by_user = 1, model_id = NULL,
       variant = NULL, version = NULL, made_at = excluded.made_at`,
  );
  const dropUserCaption = db.prepare<[number]>('DELETE FROM photo_captions WHERE photo_id = ? AND by_user = 1');
  const dropUserText = db.prepare<[number]>('DELETE FROM photo_texts WHERE photo_id = ? AND by_user = 1');
  // The row keeps the model's scores when the user confirms or removes a model tag.
  const userTag = db.prepare(
    `INSERT INTO photo_tags (photo_id, label_id, source, removed, made_at) VALUES (?, ?, 'user', ?, ?)
     ON CONFLICT (photo_id, label_id) DO UPDATE SET source = 'user', removed = excluded.removed, made_at = excluded.made_at`,
  );
  const labelsStmt = db.prepare<[], LabelRow>('SELECT * FROM tag_labels ORDER BY position, id');
  const labelStmt = db.prepare<[number], LabelRow>('SELECT * FROM tag_labels WHERE id = ?');
  const labelByNameStmt = db.prepare<[string], LabelRow>('SELECT * FROM tag_labels WHERE label = ?');
  const addLabelStmt = db.prepare(
    `INSERT INTO tag_labels (label, group_name, is_text_label, enabled, user_added, position)
     VALUES (@label, @group, @isText, @enabled, @userAdded, (SELECT coalesce(max(position), -1) + 1 FROM tag_labels))`,
  );
  const updateLabelStmt = db.prepare(
    `UPDATE tag_labels SET label = coalesce(@label, label), group_name = coalesce(@group, group_name),
       is_text_label = coalesce(@isText, is_text_label), enabled = coalesce(@enabled, enabled), position = coalesce(@position, position)
     WHERE id = @id`,
  );

  const writeOutput = db.transaction((photoId: number, out: ModelOutput, m: Maker, now: number) => {
    const maker = { modelId: m.modelId, variant: m.variant, version: m.version, now };
    upsertState.run({
      photoId,
      state: out.state,
      error: null,
      ...maker,
      demo: bit(m.demo),
      calibrated: bit(out.calibrated),
      numTiles: out.numTiles,
      ms: out.ms,
    });
    if (out.caption) modelCaption.run({ photoId, ...out.caption, ...maker });
    else dropModelCaption.run(photoId);
    if (out.text) modelText.run({ photoId, ...out.text, ...maker });
    else dropModelText.run(photoId);
    dropModelTags.run(photoId);
    for (const t of out.tags) modelTag.run({ photoId, labelId: t.labelId, score: t.score, rawScore: t.rawScore, ...maker });
  });
  const clearTx = db.transaction((ids: readonly number[]) => {
    for (const id of ids) {
      dropState.run(id);
      dropModelCaption.run(id);
      dropModelText.run(id);
      dropModelTags.run(id);
    }
  });

  return {
    photoKind: (id) => kindStmt.get(id)?.kind ?? null,
    state: (id) => stateStmt.get(id) ?? null,
    caption: (id) => captionStmt.get(id) ?? null,
    text: (id) => textStmt.get(id) ?? null,
    tags: (id) => tagsStmt.all(id),
    writeOutput: (photoId, out, maker, now) => writeOutput.immediate(photoId, out, maker, now),
    writeError(photoId, message, m, now) {
      upsertState.run({
        photoId,
        state: 'error',
        error: message,
        modelId: m.modelId,
        variant: m.variant,
        version: m.version,
        demo: bit(m.demo),
        calibrated: 0,
        numTiles: null,
        ms: null,
        now,
      });
    },
    setUserCaption: (id, text, now) => void (text === null ? dropUserCaption.run(id) : userCaption.run(id, text, now)),
    setUserText: (id, text, now) => void (text === null ? dropUserText.run(id) : userText.run(id, text, now)),
    setUserTag: (photoId, labelId, removed, now) => void userTag.run(photoId, labelId, bit(removed), now),
    clearModelResults: (ids) => clearTx.immediate(ids),
    labels: () => labelsStmt.all(),
    label: (id) => labelStmt.get(id) ?? null,
    labelByName: (label) => labelByNameStmt.get(label) ?? null,
    addLabel: (l) =>
      Number(
        addLabelStmt.run({
          label: l.label,
          group: l.group,
          isText: bit(l.isTextLabel),
          enabled: bit(l.enabled),
          userAdded: bit(l.userAdded),
        }).lastInsertRowid,
      ),
    updateLabel(id, p) {
      updateLabelStmt.run({
        id,
        label: p.label ?? null,
        group: p.group ?? null,
        isText: p.isTextLabel === undefined ? null : bit(p.isTextLabel),
        enabled: p.enabled === undefined ? null : bit(p.enabled),
        position: p.position ?? null,
      });
    },
  };
}
