/**
 * @file Merges a caption and tags into an XMP sidecar's text: the caption becomes `dc:description`
 * (an `rdf:Alt` whose `x-default` item is the caption), the tags `dc:subject` (an `rdf:Bag`), and
 * everything else in the packet is kept byte for byte ([Note: XMP edits are splices]).
 *
 * Runs in main; pure (no file access: write-sidecars.ts reads and writes).
 *
 * [Note: What an XMP merge keeps] A `null` caption leaves `dc:description` as it is. A caption replaces
 * the `x-default` text and keeps the alternatives in other languages (a German caption stays beside
 * ours). Tags are merged by default: the sidecar's subjects stay, in their order and spelling, and
 * ours are added after them unless already there ignoring case ("beach" is not added next to "Beach");
 * 'replace' writes exactly our tags, and no tags then removes `dc:subject`. Captions and tags are
 * trimmed, line breaks become `\n`, and characters XML 1.0 cannot hold (control characters, lone
 * surrogates) are dropped. A property found in attribute form (`<rdf:Description dc:description="…">`)
 * is rewritten as an element when its value changes. When nothing would change, the text is returned
 * as it was, so the caller leaves the file alone. The spliced result is parsed again and must read
 * back our values with every other node, attribute and namespace equal, or the merge is refused.
 */
import type { Element } from '@xmldom/xmldom';
import { canonicalOthers, descriptionsOf, readDescription, readSubject, type DcProperty } from './xmp-read';
import {
  attributeRange,
  childElements,
  DC_NS,
  elementEnd,
  elementStart,
  elementsNS,
  escapeText,
  indentAt,
  newlineOf,
  parseXmp,
  RDF_NS,
  tagEnd,
  XmpParseError,
  type XmpSource,
} from './xmp-source';

/** What Shoebox writes into one sidecar. */
export interface XmpFields {
  caption: string | null;
  tags: readonly string[];
}

/** How tags meet the sidecar's existing subjects: see [Note: What an XMP merge keeps]. */
export type SubjectMode = 'merge' | 'replace';

export type MergeResult =
  | { kind: 'changed'; text: string }
  /** The sidecar already says this: nothing to write. */
  | { kind: 'unchanged' }
  /** No sidecar yet and nothing to put in one. */
  | { kind: 'empty' }
  /**
   * The sidecar cannot be merged safely (not XML, not XMP, a property set twice); it must be left alone.
   * The reason reads after "the sidecar …": `is not valid XMP (…)` or `cannot be merged safely (…)`.
   */
  | { kind: 'refused'; reason: string };

/** The packet a new sidecar starts from: an xpacket wrapper around the standard skeleton. */
export const NEW_SIDECAR = [
  '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
  '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Shoebox">',
  ` <rdf:RDF xmlns:rdf="${RDF_NS}">`,
  '  <rdf:Description rdf:about=""',
  `    xmlns:dc="${DC_NS}">`,
  '  </rdf:Description>',
  ' </rdf:RDF>',
  '</x:xmpmeta>',
  '<?xpacket end="w"?>',
  '',
].join('\n');

/** Characters XML 1.0 cannot hold: C0 controls other than tab and line breaks, U+FFFE/U+FFFF, lone surrogates. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A caption or tag as it will be written: see [Note: What an XMP merge keeps]. */
export function cleanText(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(NOT_XML, '').trim();
}

const tagKey = (s: string): string => s.normalize('NFC').toLowerCase();

/** The subjects a sidecar should hold after the merge. */
export function mergedSubjects(existing: readonly string[], tags: readonly string[], mode: SubjectMode): string[] {
  const result = mode === 'merge' ? [...existing] : [];
  const seen = new Set(result.map(tagKey));
  for (const raw of tags) {
    const tag = cleanText(raw);
    if (!tag || seen.has(tagKey(tag))) continue;
    seen.add(tagKey(tag));
    result.push(tag);
  }
  return result;
}

/** One text replacement: [start, end) becomes `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (an insertion at the start of a replaced range goes before it). */
function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Prefixes in scope and how the packet is laid out. */
interface Style {
  dc: string;
  rdf: string;
  nl: string;
  /** One level of indentation. */
  step: string;
}

/** Pretty-prints an element opened at `indent` (null: on one line, as the packet around it is). */
function block(style: Style, indent: string | null, open: string, close: string, children: string[]): string {
  if (indent === null) return `${open}${children.join('')}${close}`;
  const inner = children.map((c) => `${style.nl}${indent}${style.step}${c}`).join('');
  return `${open}${inner}${style.nl}${indent}${close}`;
}

function descriptionXml(s: Style, indent: string | null, caption: string, keep: string[]): string {
  const alt = (i: string | null): string =>
    block(s, i, `<${s.rdf}:Alt>`, `</${s.rdf}:Alt>`, [`<${s.rdf}:li xml:lang="x-default">${escapeText(caption)}</${s.rdf}:li>`, ...keep]);
  return block(s, indent, `<${s.dc}:description>`, `</${s.dc}:description>`, [alt(indent === null ? null : indent + s.step)]);
}

function subjectXml(s: Style, indent: string | null, items: string[]): string {
  const lis = items.map((t) => `<${s.rdf}:li>${escapeText(t)}</${s.rdf}:li>`);
  const bag = (i: string | null): string => block(s, i, `<${s.rdf}:Bag>`, `</${s.rdf}:Bag>`, lis);
  return block(s, indent, `<${s.dc}:subject>`, `</${s.dc}:subject>`, [bag(indent === null ? null : indent + s.step)]);
}

/** The start of the line break and indentation before `offset`, when only whitespace precedes it on its line. */
function lineBreakBefore(text: string, offset: number): number | null {
  const indent = indentAt(text, offset);
  if (indent === null) return null;
  let at = offset - indent.length;
  if (text[at - 1] === '\n') at--;
  if (text[at - 1] === '\r') at--;
  return at > 0 ? at : null;
}

/** Edits that declare the `dc` prefix on a holder that has none in scope; returns the prefix. */
function declareDc(src: XmpSource, holder: Element, edits: Edit[]): string {
  let prefix = 'dc';
  for (let n = 2; holder.lookupNamespaceURI(prefix) !== null; n++) prefix = `dc${n}`;
  const attrs = Array.from(holder.attributes);
  const anchor = attrs.filter((a) => a.name.startsWith('xmlns')).pop() ?? attrs.pop();
  const decl = `xmlns:${prefix}="${DC_NS}"`;
  if (anchor) {
    const range = attributeRange(src, holder, anchor.name);
    const ws = src.text.slice(range.start, src.text.indexOf(anchor.name, range.start));
    edits.push({ start: range.end, end: range.end, text: `${ws || ' '}${decl}` });
  } else {
    const at = elementStart(src, holder) + 1 + holder.tagName.length;
    edits.push({ start: at, end: at, text: ` ${decl}` });
  }
  return prefix;
}

/** Edits that insert elements (made by `make`, given their indentation) as the last children of `holder`. */
function insertInto(
  src: XmpSource,
  holder: Element,
  style: Pick<Style, 'nl' | 'step'>,
  make: ((indent: string | null) => string)[],
  edits: Edit[],
): void {
  const text = src.text;
  const start = elementStart(src, holder);
  const ownIndent = indentAt(text, start);
  const first = childElements(holder)[0];
  const childIndent = first ? indentAt(text, elementStart(src, first)) : ownIndent === null ? null : ownIndent + style.step;
  const children = make.map((m) => (childIndent === null ? m(null) : `${style.nl}${childIndent}${m(childIndent)}`)).join('');
  const gt = tagEnd(text, start);
  if (text[gt - 1] === '/') {
    const tail = childIndent === null || ownIndent === null ? '' : `${style.nl}${ownIndent}`;
    edits.push({ start: gt - 1, end: gt + 1, text: `>${children}${tail}</${holder.tagName}>` });
    return;
  }
  const closeAt = text.lastIndexOf('</', elementEnd(text, start) - 1);
  const breakAt = childIndent === null ? null : lineBreakBefore(text, closeAt);
  if (breakAt !== null) edits.push({ start: breakAt, end: breakAt, text: children });
  else
    edits.push({ start: closeAt, end: closeAt, text: children + (childIndent !== null && ownIndent !== null ? style.nl + ownIndent : '') });
}

/** The whole range of an existing property element, or of an attribute, for replacement or removal. */
function propertyRange(src: XmpSource, prop: DcProperty, withLineBreak: boolean): { start: number; end: number } {
  if (prop.form === 'attribute') return attributeRange(src, prop.holder, prop.attribute);
  const start = elementStart(src, prop.element);
  const end = elementEnd(src.text, start);
  return { start: withLineBreak ? (lineBreakBefore(src.text, start) ?? start) : start, end };
}

/**
 * Merges `fields` into a sidecar's text (`null`: no sidecar yet). See [Note: What an XMP merge keeps].
 */
export function mergeXmp(existing: string | null, fields: XmpFields, mode: SubjectMode = 'merge'): MergeResult {
  try {
    return merge(existing, fields, mode);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { kind: 'refused', reason: err instanceof XmpParseError ? `is not valid XMP (${why})` : `cannot be merged safely (${why})` };
  }
}

function merge(existing: string | null, fields: XmpFields, mode: SubjectMode): MergeResult {
  const src = parseXmp(existing ?? NEW_SIDECAR);
  const rdfRoot = elementsNS(src.doc, RDF_NS, 'RDF')[0];
  if (!rdfRoot) throw new XmpParseError('no rdf:RDF element');

  const caption = fields.caption === null ? '' : cleanText(fields.caption);
  const description = readDescription(src.doc);
  const subject = readSubject(src.doc);
  const subjects = mergedSubjects(subject?.items ?? [], fields.tags, mode);
  const writeCaption = caption !== '' && description?.text.trim() !== caption;
  const before = subject?.items ?? [];
  const writeSubjects = subjects.length !== before.length || subjects.some((s, i) => s !== before[i]);
  if (!writeCaption && !writeSubjects) return existing === null ? { kind: 'empty' } : { kind: 'unchanged' };

  if (descriptionsOf(src.doc).length === 0) {
    // A packet with an empty rdf:RDF: give it a Description first, then merge as usual.
    const rdf = rdfRoot.prefix ?? 'rdf';
    const edits: Edit[] = [];
    const style = { nl: newlineOf(src.text), step: ' ' };
    insertInto(src, rdfRoot, style, [() => `<${rdf}:Description ${rdf}:about=""/>`], edits);
    return merge((src.bom ? '\uFEFF' : '') + applyEdits(src.text, edits), fields, mode);
  }

  const edits: Edit[] = [];
  const holders = descriptionsOf(src.doc);
  const target = description?.prop.holder ?? subject?.prop.holder ?? holders[0]!;
  const rdfIndent = indentAt(src.text, elementStart(src, rdfRoot));
  const holderIndent = indentAt(src.text, elementStart(src, target));
  const step =
    rdfIndent !== null && holderIndent?.startsWith(rdfIndent) && holderIndent.length > rdfIndent.length
      ? holderIndent.slice(rdfIndent.length)
      : ' ';
  const baseStyle = { rdf: target.prefix ?? 'rdf', nl: newlineOf(src.text), step };
  const dcPrefixes = new Map<Element, string>();
  const styleFor = (holder: Element): Style => {
    let dc = dcPrefixes.get(holder);
    if (dc === undefined) {
      dc = holder.lookupPrefix(DC_NS) ?? declareDc(src, holder, edits);
      dcPrefixes.set(holder, dc);
    }
    return { ...baseStyle, dc };
  };
  const inserts = new Map<Element, ((indent: string | null) => string)[]>();
  const insert = (holder: Element, make: (style: Style, indent: string | null) => string): void => {
    const style = styleFor(holder);
    inserts.set(holder, [...(inserts.get(holder) ?? []), (indent) => make(style, indent)]);
  };
  /** Puts a property's new element where the old one was, or into its holder (or the target) when there was none. */
  const place = (prop: DcProperty | undefined, make: (style: Style, indent: string | null) => string): void => {
    if (prop?.form === 'element') {
      const style = styleFor(prop.holder);
      const { start, end } = propertyRange(src, prop, false);
      edits.push({ start, end, text: make(style, indentAt(src.text, start)) });
      return;
    }
    if (prop) edits.push({ ...propertyRange(src, prop, false), text: '' });
    insert(prop?.holder ?? target, make);
  };

  if (writeCaption) {
    const keep = (description?.otherLanguages ?? []).map((li) => {
      const start = elementStart(src, li);
      return src.text.slice(start, elementEnd(src.text, start));
    });
    place(description?.prop, (style, indent) => descriptionXml(style, indent, caption, keep));
  }
  if (writeSubjects) {
    if (subjects.length === 0 && subject) edits.push({ ...propertyRange(src, subject.prop, true), text: '' });
    else place(subject?.prop, (style, indent) => subjectXml(style, indent, subjects));
  }
  for (const [holder, makers] of inserts) insertInto(src, holder, baseStyle, makers, edits);

  const text = applyEdits(src.text, edits);
  verify(src, text, writeCaption ? caption : null, subjects);
  return { kind: 'changed', text: (src.bom ? '\uFEFF' : '') + text };
}

/** Proves a spliced packet reads back our values and kept everything else; throws otherwise. */
function verify(before: XmpSource, text: string, caption: string | null, subjects: string[]): void {
  let after: XmpSource;
  try {
    after = parseXmp(text, { locate: false });
  } catch (err) {
    throw new Error(`the result would not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (caption !== null && readDescription(after.doc)?.text !== caption) throw new Error('the caption did not read back');
  const items = readSubject(after.doc)?.items ?? [];
  if (items.length !== subjects.length || items.some((s, i) => s !== subjects[i])) throw new Error('the tags did not read back');
  if (canonicalOthers(after.doc) !== canonicalOthers(before.doc)) throw new Error('other fields would have changed');
}
