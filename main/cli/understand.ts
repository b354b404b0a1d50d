/**
 * @file `shoebox understand [--limit N] [--json]`: runs the understanding step from a terminal on up to
 * N pending photos (newest first, each after its thumbnail), prints each photo's caption, tags and text,
 * then a summary. Registered on the CLI program by main/cli/index.ts.
 *
 * Runs in the CLI (plain Node), with the library not started: only this step runs. Fails (exit 1) with
 * the step's blocked reason when no model can run.
 */
import { type Command, CommanderError, Option } from 'commander';
import type { PhotoUnderstanding } from '../../preload/contract';
import type { Services } from '../services';
import { UNDERSTAND_STEP } from '../understanding/understanding.service';

/** One photo's lines: path, outcome, caption, tags with scores, text. */
export function formatUnderstood(path: string, outcome: string, error: string | null, u: PhotoUnderstanding | null): string {
  const lines = [`${path}  [${outcome}${u?.result && u.result.state !== 'ok' ? `, ${u.result.state}` : ''}]`];
  if (error) lines.push(`  error: ${error}`);
  if (u?.caption) lines.push(`  caption: ${u.caption.text || '(empty)'}${u.caption.byUser ? ' (yours)' : ''}`);
  if (u && u.tags.length > 0)
    lines.push(`  tags: ${u.tags.map((t) => (t.score === null ? t.label : `${t.label} ${t.score.toFixed(2)}`)).join(', ')}`);
  if (u?.text) lines.push(`  text: ${u.text.text.replaceAll('\n', ' / ')}`);
  return lines.join('\n');
}

/** Who made the photos' results (a local model and variant, or `remote:<model>@<host>`), most photos first. */
export function madeBy(
  results: readonly (PhotoUnderstanding | null)[],
): { modelId: string; variant: string; demo: boolean; photos: number }[] {
  const makers = new Map<string, { modelId: string; variant: string; demo: boolean; photos: number }>();
  for (const r of results) {
    const by = r?.result?.madeBy;
    if (!by) continue;
    const key = `${by.modelId}\u0000${by.variant}`;
    const m = makers.get(key) ?? { modelId: by.modelId, variant: by.variant, demo: r.result!.demo, photos: 0 };
    m.photos++;
    makers.set(key, m);
  }
  return [...makers.values()].sort((a, b) => b.photos - a.photos);
}

/** A maker as the summary line names it: a server by its `remote:` id, a local model with its variant. */
const makerName = (m: { modelId: string; variant: string }) => (m.variant === 'remote' ? m.modelId : `${m.modelId} (${m.variant})`);

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new CommanderError(2, 'shoebox.badLimit', `--limit must be an integer ≥ 1, got ${value}`);
  return n;
}

/** Adds the `understand` command; `withServices` opens and always closes the services. */
export function registerUnderstandCommand(
  program: Command,
  withServices: <T>(fn: (services: Services) => Promise<T>) => Promise<T>,
  print: (json: boolean, value: unknown, human: () => string) => void,
): void {
  program
    .command('understand')
    .description('caption and tag pending photos now with the active model, and print what it found')
    .addOption(new Option('--limit <n>', 'most photos to understand').default(20).argParser(parseLimit))
    .option('--json', 'machine-readable output')
    .action(async (opts: { limit: number; json?: boolean }) => {
      await withServices(async (services) => {
        const started = performance.now();
        const outcomes = await services.library.runStep(UNDERSTAND_STEP, opts.limit);
        const seconds = (performance.now() - started) / 1000;
        const photos = outcomes.map((o) => {
          const detail = services.library.getPhoto(o.photoId);
          const u = detail ? services.understanding.get(o.photoId) : null;
          return { ...o, path: detail?.files[0]?.absPath ?? `photo ${o.photoId}`, understanding: u };
        });
        const model = services.inference.loadedModel() ?? services.inference.activeModel();
        const done = outcomes.filter((o) => o.outcome === 'done').length;
        const makers = madeBy(photos.map((p) => p.understanding));
        const left = services.library.jobsStatus().steps.find((s) => s.step === UNDERSTAND_STEP);
        const summary = {
          photos: outcomes.length,
          done,
          failed: outcomes.filter((o) => o.outcome === 'failed').length,
          seconds: Math.round(seconds * 10) / 10,
          secondsPerPhoto: outcomes.length ? Math.round((seconds / outcomes.length) * 100) / 100 : null,
          model: model ? { id: model.id, variant: model.variant, demo: model.demo } : null,
          madeBy: makers,
          pending: left ? left.pending + left.running : 0,
        };
        print(!!opts.json, { photos, summary }, () =>
          [
            ...photos.map((p) => formatUnderstood(p.path, p.outcome, p.error, p.understanding)),
            `Understood ${done} of ${outcomes.length} photo(s) in ${summary.seconds} s` +
              (summary.secondsPerPhoto !== null ? ` (${summary.secondsPerPhoto} s per photo)` : '') +
              (makers.length > 0 ? ` with ${makers.map(makerName).join(', ')}` : model ? ` with ${model.id} (${model.variant})` : '') +
              `; ${summary.pending} still to do.`,
            // [Note: Demo output is labelled] in main/inference/inference.service.ts
            ...(model?.demo && (makers.length === 0 || makers.some((m) => m.demo))
              ? [`(demo model ${model.id}: random weights, the captions and tags are meaningless)`]
              : []),
            ...(outcomes.length === 0 ? ['Nothing to do now: no pending photo has its thumbnail yet, or every photo is understood.'] : []),
          ].join('\n'),
        );
      });
    });
}
