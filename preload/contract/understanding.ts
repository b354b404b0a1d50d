/**
 * @file The understanding domain of the one API: a photo's caption, tags and text in the image, the
 * user's edits of them, re-runs, and the tag taxonomy. preload/contract.ts merges these maps into the
 * request, result and event maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * [Note: User edits win] A caption or text the user wrote, a tag the user added, and a tag the user
 * removed are the user's: a model run (the queue's, or `photos:redoUnderstanding`) never overwrites,
 * re-adds or removes them. Passing `text: null` to `photos:setCaption` / `photos:setText` hands that
 * field back to the model (shown again after the next run).
 */
import { z } from 'zod';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Label = z.string().trim().min(1, 'label is empty').max(100, 'label is too long (at most 100 characters)');
const Group = z.string().trim().min(1, 'group is empty').max(100, 'group is too long (at most 100 characters)');

/** Argument schemas of the understanding requests. */
export const understandingRequestSchemas = {
  /** Caption, tags, text in the image, the step's state and who made each. */
  'photos:understanding': z.object({ id: Id }).strict(),
  /** The user's caption; null hands the caption back to the model. */
  'photos:setCaption': z
    .object({ id: Id, text: z.string().trim().max(2000, 'caption is too long (at most 2000 characters)').nullable() })
    .strict(),
  /** The user's transcription of the text in the photo; null hands it back to the model. */
  'photos:setText': z
    .object({ id: Id, text: z.string().trim().max(20_000, 'text is too long (at most 20000 characters)').nullable() })
    .strict(),
  /** Adds a tag by its label; an unknown label joins the taxonomy as the user's (not scored by the model). */
  'photos:addTag': z.object({ id: Id, label: Label }).strict(),
  'photos:removeTag': z.object({ id: Id, labelId: Id }).strict(),
  /** Runs understanding again with the current model: model results go, user edits stay. */
  'photos:redoUnderstanding': z.object({ ids: z.array(Id).min(1).max(10_000) }).strict(),
  'tags:list': z.object({}).strict(),
  'tags:add': z
    .object({ label: Label, group: Group.optional(), isTextLabel: z.boolean().optional(), enabled: z.boolean().optional() })
    .strict(),
  /** Rename, regroup, mark as a text label, enable or disable (the model scores enabled labels only), move. */
  'tags:update': z
    .object({
      id: Id,
      label: Label.optional(),
      group: Group.optional(),
      isTextLabel: z.boolean().optional(),
      enabled: z.boolean().optional(),
      position: z.number().int().min(0).max(1_000_000).optional(),
    })
    .strict(),
} as const;

/** Which model made a result, and when. */
export interface MadeBy {
  modelId: string;
  variant: string;
  /** The step version: `understand:1:<model id>:<variant>`. */
  version: string;
  /** ISO time. */
  madeAt: string;
}

/** A caption or a text in the image. `madeBy` is null for the user's own. */
export interface UnderstoodText {
  text: string;
  /** How the model's answer ended: 'length' = it hit the token limit (runaway), 'empty' = nothing usable; null for the user's. */
  finish: 'stop' | 'length' | 'empty' | null;
  byUser: boolean;
  madeBy: MadeBy | null;
}

export interface PhotoTagDto {
  labelId: number;
  label: string;
  group: string;
  /** Calibrated score (log ratio against a content-free image: > 0 = more likely than on nothing); null for a user's tag. */
  score: number | null;
  /** Mean log-probability per label token, before calibration. */
  rawScore: number | null;
  source: 'model' | 'user';
  madeBy: MadeBy | null;
}

/** Everything the understanding step knows about one photo. */
export interface PhotoUnderstanding {
  photoId: number;
  /** The queue's job for this photo: null when the photo has none (videos). */
  job: { state: 'pending' | 'running' | 'done' | 'failed-retryable' | 'failed-permanent'; error: string | null } | null;
  /**
   * The last run's outcome: 'ok', 'empty' (no usable caption), 'runaway' (the caption hit its token
   * limit), 'error' (see `error`); null before the first run.
   */
  result: {
    state: 'ok' | 'empty' | 'runaway' | 'error';
    error: string | null;
    madeBy: MadeBy;
    /**
     * The maker is the active model, or a remote backend (a local model change keeps what a server made):
     * false while a re-run for a newly selected model is pending.
     */
    current: boolean;
    /** Made by a random-weight model (demo mode): the text is meaningless and must be labelled. */
    demo: boolean;
    numTiles: number | null;
    ms: number | null;
  } | null;
  caption: UnderstoodText | null;
  /** Text in the image (transcribed when a text label such as 'document' passed), or the user's. */
  text: (UnderstoodText & { reason: string | null }) | null;
  /** Tags shown on the photo, best first (the user's first). */
  tags: PhotoTagDto[];
  /** Tags the user removed: the model never adds them back. */
  removedTags: { labelId: number; label: string }[];
}

/** One label of the tag taxonomy. */
export interface TagLabelDto {
  id: number;
  label: string;
  group: string;
  /** Its presence means the photo has text worth transcribing. */
  isTextLabel: boolean;
  /** The model scores it on every photo. */
  enabled: boolean;
  userAdded: boolean;
  position: number;
}

/** Results of the understanding requests. */
export interface UnderstandingResults {
  'photos:understanding': PhotoUnderstanding;
  'photos:setCaption': PhotoUnderstanding;
  'photos:setText': PhotoUnderstanding;
  'photos:addTag': PhotoUnderstanding;
  'photos:removeTag': PhotoUnderstanding;
  'photos:redoUnderstanding': { requeued: number };
  'tags:list': TagLabelDto[];
  'tags:add': TagLabelDto;
  'tags:update': TagLabelDto;
}

/** Events of the understanding domain. */
export interface UnderstandingEvents {
  /** These photos' caption, tags, text or state changed (a run finished, a user edit, a re-run queued). */
  'photos:understandingChanged': { photoIds: number[] };
}
