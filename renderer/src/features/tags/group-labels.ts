/**
 * @file The Tags page's view of the taxonomy: labels grouped, groups and labels in taxonomy order
 * (`position`), narrowed by the page's filter. Runs in the renderer; pure (test/unit/renderer-tags.test.ts).
 */
import type { TagLabelDto } from '../../../../preload/contract';

export interface LabelGroup {
  group: string;
  labels: TagLabelDto[];
  /** How many of the group's labels (all of them, not only the filtered ones) the model scores. */
  enabled: number;
  total: number;
}

const byPosition = (a: TagLabelDto, b: TagLabelDto) => a.position - b.position || a.label.localeCompare(b.label);

/**
 * Groups in the order of their first label, labels by position. A filter keeps the labels whose label
 * or group contains it (case-insensitive), and the groups that keep any.
 */
export function groupLabels(labels: readonly TagLabelDto[], filter = ''): LabelGroup[] {
  const groups = new Map<string, TagLabelDto[]>();
  for (const l of [...labels].sort(byPosition)) {
    const list = groups.get(l.group);
    if (list) list.push(l);
    else groups.set(l.group, [l]);
  }
  const needle = filter.trim().toLowerCase();
  const out: LabelGroup[] = [];
  for (const [group, list] of groups) {
    const shown = needle && !group.toLowerCase().includes(needle) ? list.filter((l) => l.label.toLowerCase().includes(needle)) : list;
    if (shown.length === 0) continue;
    out.push({ group, labels: shown, enabled: list.filter((l) => l.enabled).length, total: list.length });
  }
  return out;
}

/** The group names, for the group fields' suggestions. */
export function groupNames(labels: readonly TagLabelDto[]): string[] {
  return groupLabels(labels).map((g) => g.group);
}
