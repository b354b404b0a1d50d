/**
 * @file Human-readable text for CLI output (status and doctor). Pure functions, unit-tested.
 */
import type { DoctorReport, JobsStatus } from '../../preload/contract';

const eta = (s: number | null) => (s === null ? '' : s < 90 ? ` ETA ${Math.round(s)} s` : ` ETA ${Math.round(s / 60)} min`);

export function formatStatus(s: JobsStatus): string {
  const head = `Photos: ${s.photos}${s.missing ? `, ${s.missing} missing` : ''}${s.errors ? `, ${s.errors} unreadable` : ''}${s.paused ? '  [paused]' : ''}`;
  const steps = s.steps.map(
    (p) =>
      `  ${p.step.padEnd(12)} ${p.done} done, ${p.pending + p.running} to do${p.failed ? `, ${p.failed} failed` : ''}${p.pending + p.running > 0 ? `${p.rate > 0 ? `, ${p.rate.toFixed(1)}/s` : ''}${eta(p.etaSeconds)}` : ''}` +
      // Steps that report more (understanding): time per photo, where it runs, why it waits.
      (p.secondsPerItem ? `, ${p.secondsPerItem.toFixed(1)} s each` : '') +
      (p.detail ? `  [${p.detail}]` : '') +
      (p.blockedReason ? `\n  ${''.padEnd(12)} waiting: ${p.blockedReason}` : ''),
  );
  const shownPerStep = !s.paused && s.steps.some((p) => p.blockedReason);
  return [head, ...(s.blockedReason && !shownPerStep ? [`  Waiting: ${s.blockedReason}`] : []), ...steps].join('\n');
}

export function formatDoctor(r: DoctorReport): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  return [
    'Versions:',
    ...Object.entries(r.versions).map(([k, v]) => `  ${k.padEnd(18)} ${v}`),
    `Data directory: ${r.dataDir}`,
    `Database: ${mark(r.database.ok)} ${r.database.path} (schema ${r.database.schemaVersion}; ${r.database.detail})`,
    'Execution providers:',
    ...r.executionProviders.map((e) => `  ${mark(e.available)} ${e.name.padEnd(10)} ${e.reason}`),
    'Checks:',
    ...r.checks.map((c) => `  ${mark(c.ok)} ${c.name}: ${c.detail}`),
  ].join('\n');
}
