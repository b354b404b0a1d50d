/**
 * @file The understanding service: what main keeps of InternVL's understanding of photos and what the
 * user may change of it. Stores a run's results (after re-checking the maker against the active
 * model), serves `photos:understanding`, applies the user's edits, queues re-runs, and edits the tag
 * taxonomy. The step that produces results is ./understand-step.ts.
 *
 * Runs in main (and the CLI / host). Policy only: SQL is in main/db/understanding.repo.ts. See
 * [Note: User edits win] in preload/contract/understanding.ts and [Note: Derived data knows its maker]
 * in main/db/migrations/0003-understanding.ts.
 */
import { ApiError } from '../../preload/api-error';
import type { MadeBy, PhotoUnderstanding, TagLabelDto } from '../../preload/contract';
import type { UnderstandPhotoResult } from '../../native/protocol';
import type { Db } from '../db/open';
import { createJobsRepo } from '../db/jobs.repo';
import { createUnderstandingRepo, type LabelRow, type Maker, type ModelOutput } from '../db/understanding.repo';
import type { Emit } from '../events';

/** The step's name in the queue. */
export const UNDERSTAND_STEP = 'understand';
/** The step's own version: bump it when the prompts or the stored shape change; the model is appended. */
export const UNDERSTAND_VERSION = 1;

/** The step version for a model: `understand:1:<model id>:<variant>`. */
export const versionFor = (m: { id: string; variant: string }) => `${UNDERSTAND_STEP}:${UNDERSTAND_VERSION}:${m.id}:${m.variant}`;

/**
 * Whether a record's maker is a remote backend (`remote:<model>@<host>`, main/remote/backends.ts): such a
 * record stays current when the local model changes ([Note: Remote results outlive a local model change]
 * in ./understand-step.ts).
 */
export const isRemoteMade = (modelId: string) => modelId.startsWith('remote:');

/** The taxonomy as the worker wants it: enabled labels in order, which of them mean text, and their ids. */
export interface LabelSet {
  labels: string[];
  textLabels: string[];
  ids: number[];
}

/** One worker call's facts, shared by its photos. */
export interface RunFacts {
  maker: Maker;
  /** The label set sent with the request (ids map the answers' labels back to rows). */
  labels: LabelSet;
  calibrated: boolean;
  /** Each photo's share of the call's wall time. */
  msPerPhoto: number;
}

export interface UnderstandingDeps {
  db: Db;
  emit: Emit;
  /** The model whose results are current: the active one (id, variant), or null. */
  activeModel: () => { id: string; variant: string } | null;
  /** Queues the step again for photos (library.requeueStep). */
  requeue: (photoIds: readonly number[]) => number;
  now?: () => number;
}

export type UnderstandingService = ReturnType<typeof createUnderstanding>;

const iso = (ms: number) => new Date(ms).toISOString();

const labelDto = (l: LabelRow): TagLabelDto => ({
  id: l.id,
  label: l.label,
  group: l.group_name,
  isTextLabel: l.is_text_label === 1,
  enabled: l.enabled === 1,
  userAdded: l.user_added === 1,
  position: l.position,
});

/** Builds the service over the library database. */
export function createUnderstanding(deps: UnderstandingDeps) {
  const repo = createUnderstandingRepo(deps.db);
  const jobs = createJobsRepo(deps.db);
  const now = deps.now ?? Date.now;
  const photoExists = (id: number) => repo.photoKind(id);
  const changed = (photoIds: number[]) => deps.emit('photos:understandingChanged', { photoIds });

  const madeBy = (r: { model_id: string | null; variant: string | null; version: string | null; made_at: number }): MadeBy | null =>
    r.model_id === null || r.variant === null || r.version === null
      ? null
      : { modelId: r.model_id, variant: r.variant, version: r.version, madeAt: iso(r.made_at) };

  function get(photoId: number): PhotoUnderstanding {
    if (!photoExists(photoId)) throw new ApiError('not-found', `No photo with id ${photoId}`);
    const job = jobs.forPhoto(photoId, UNDERSTAND_STEP);
    const state = repo.state(photoId);
    const caption = repo.caption(photoId);
    const text = repo.text(photoId);
    const tags = repo.tags(photoId);
    const active = deps.activeModel();
    return {
      photoId,
      job: job ? { state: job.state, error: job.last_error } : null,
      result: state
        ? {
            state: state.state,
            error: state.error,
            madeBy: madeBy(state)!,
            // A server's error is no result: the new model gets its chance (jobs.repo.ts keeps only results).
            current: (active !== null && versionFor(active) === state.version) || (isRemoteMade(state.model_id) && state.state !== 'error'),
            demo: state.demo === 1,
            numTiles: state.num_tiles,
            ms: state.ms,
          }
        : null,
      caption: caption ? { text: caption.text, finish: caption.finish, byUser: caption.by_user === 1, madeBy: madeBy(caption) } : null,
      text: text
        ? { text: text.text, finish: text.finish, reason: text.reason ?? null, byUser: text.by_user === 1, madeBy: madeBy(text) }
        : null,
      tags: tags
        .filter((t) => t.removed === 0)
        .map((t) => ({
          labelId: t.label_id,
          label: t.label,
          group: t.group_name,
          score: t.score,
          rawScore: t.raw_score,
          source: t.source,
          madeBy: madeBy(t),
        })),
      removedTags: tags.filter((t) => t.removed === 1).map((t) => ({ labelId: t.label_id, label: t.label })),
    };
  }

  /** Applies a user edit, tells listeners, returns the photo's understanding. */
  function edit(photoId: number, apply: () => void): PhotoUnderstanding {
    if (!photoExists(photoId)) throw new ApiError('not-found', `No photo with id ${photoId}`);
    apply();
    changed([photoId]);
    return get(photoId);
  }

  function requireLabel(id: number): LabelRow {
    const l = repo.label(id);
    if (!l) throw new ApiError('not-found', `No tag label with id ${id}`);
    return l;
  }

  function checkFreeName(label: string, id?: number): void {
    const other = repo.labelByName(label);
    if (other && other.id !== id) throw new ApiError('conflict', `There is already a tag "${other.label}" (in ${other.group_name})`);
  }

  return {
    get,

    /** The enabled labels the model scores, in taxonomy order. */
    labelSet(): LabelSet {
      const on = repo.labels().filter((l) => l.enabled === 1);
      return {
        labels: on.map((l) => l.label),
        textLabels: on.filter((l) => l.is_text_label === 1).map((l) => l.label),
        ids: on.map((l) => l.id),
      };
    },

    /**
     * Stores one photo's result, made by `maker` from the labels of `labels`. Re-checks the maker against
     * the active model first, in the same synchronous section as the write (Immich's rule): a result of a
     * model that is no longer active is dropped, and false says so (the job must be queued again).
     */
    record(photoId: number, r: UnderstandPhotoResult, { maker, labels, calibrated, msPerPhoto }: RunFacts): boolean {
      const active = deps.activeModel();
      if (!active || versionFor(active) !== maker.version) return false;
      if (!photoExists(photoId)) return true; // removed meanwhile: nothing to keep
      if (!r.ok) repo.writeError(photoId, `${r.error.code}: ${r.error.message}`, maker, now());
      else {
        const idOf = new Map(labels.labels.map((l, i) => [l, labels.ids[i]!]));
        const out: ModelOutput = {
          state: r.caption === null ? 'ok' : r.caption.finish === 'empty' ? 'empty' : r.caption.finish === 'length' ? 'runaway' : 'ok',
          calibrated,
          numTiles: r.numTiles,
          ms: Math.round(msPerPhoto),
          caption: r.caption ? { text: r.caption.text, finish: r.caption.finish } : null,
          text: r.text ? { text: r.text.text, finish: r.text.finish, reason: r.textReason } : null,
          tags: r.tags.flatMap((t) => {
            const labelId = idOf.get(t.label);
            return labelId === undefined ? [] : [{ labelId, score: t.calibrated, rawScore: t.meanLogProb }];
          }),
        };
        repo.writeOutput(photoId, out, maker, now());
      }
      changed([photoId]);
      return true;
    },

    /**
     * Stores one photo's record made elsewhere (a remote backend, main/remote/remote-step.ts) under the
     * same re-check as `record`: false when `maker.version` is no longer the active one.
     */
    recordOutput(photoId: number, out: ModelOutput, maker: Maker): boolean {
      const active = deps.activeModel();
      if (!active || versionFor(active) !== maker.version) return false;
      if (!photoExists(photoId)) return true;
      repo.writeOutput(photoId, out, maker, now());
      changed([photoId]);
      return true;
    },

    /** Records that a photo cannot be understood (a permanent failure), keeping earlier results. */
    recordError(photoId: number, message: string, maker: Maker): void {
      if (!photoExists(photoId)) return;
      repo.writeError(photoId, message, maker, now());
      changed([photoId]);
    },

    setCaption: (photoId: number, text: string | null) => edit(photoId, () => repo.setUserCaption(photoId, text, now())),
    setText: (photoId: number, text: string | null) => edit(photoId, () => repo.setUserText(photoId, text, now())),

    addTag(photoId: number, label: string): PhotoUnderstanding {
      return edit(photoId, () => {
        // An unknown label joins the taxonomy as the user's own, not scored by the model until enabled.
        const id =
          repo.labelByName(label)?.id ?? repo.addLabel({ label, group: 'my tags', isTextLabel: false, enabled: false, userAdded: true });
        repo.setUserTag(photoId, id, false, now());
      });
    },

    removeTag(photoId: number, labelId: number): PhotoUnderstanding {
      requireLabel(labelId);
      return edit(photoId, () => repo.setUserTag(photoId, labelId, true, now()));
    },

    /** Forgets the model's results of these photos (user edits stay) and queues them first. */
    redo(photoIds: readonly number[]): { requeued: number } {
      const ids = [...new Set(photoIds)].filter((id) => {
        const kind = photoExists(id);
        return kind === 'image' || kind === 'raw';
      });
      if (ids.length === 0) throw new ApiError('not-found', 'None of these ids is a photo that can be understood (videos are not)');
      repo.clearModelResults(ids);
      const requeued = deps.requeue(ids);
      changed(ids);
      return { requeued };
    },

    listTags: (): TagLabelDto[] => repo.labels().map(labelDto),

    addTagLabel(a: {
      label: string;
      group?: string | undefined;
      isTextLabel?: boolean | undefined;
      enabled?: boolean | undefined;
    }): TagLabelDto {
      checkFreeName(a.label);
      const id = repo.addLabel({
        label: a.label,
        group: a.group ?? 'my tags',
        isTextLabel: a.isTextLabel ?? false,
        enabled: a.enabled ?? true,
        userAdded: true,
      });
      return labelDto(requireLabel(id));
    },

    updateTagLabel(
      id: number,
      patch: {
        label?: string | undefined;
        group?: string | undefined;
        isTextLabel?: boolean | undefined;
        enabled?: boolean | undefined;
        position?: number | undefined;
      },
    ): TagLabelDto {
      requireLabel(id);
      if (patch.label !== undefined) checkFreeName(patch.label, id);
      repo.updateLabel(id, {
        ...(patch.label !== undefined ? { label: patch.label } : {}),
        ...(patch.group !== undefined ? { group: patch.group } : {}),
        ...(patch.isTextLabel !== undefined ? { isTextLabel: patch.isTextLabel } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
      });
      return labelDto(requireLabel(id));
    },
  };
}
