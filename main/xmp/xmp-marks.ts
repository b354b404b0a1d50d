/**
 * @file A photo's star rating and favourite in XMP: reading `xmp:Rating` from a sidecar at index time,
 * and merging the user's rating and favourite into a sidecar's text when the user writes sidecars
 * (`xmp:write`, after the caption and tags: main/xmp/write-sidecars.ts).
 *
 * Runs in main. Reading is done by the metadata step (main/library/metadata.ts); merging is pure.
 *
 * [Note: Ratings and favourites in XMP] darktable, digiKam, Lightroom and others keep ratings in
 * `xmp:Rating` (0–5; -1 "rejected"), and a sidecar's rating wins over the one inside the file (the
 * sidecar is the layer those tools edit). Writing (only on the user's request, by the rules of
 * [Note: What xmp:write writes]): the rating is written only when the user set one in Shoebox (0 too:
 * "no stars", on purpose); a file's own rating is never copied back. XMP has no favourite property:
 * a favourite is written as `xmp:Label="Favorite"` (Lightroom shows unknown labels as a custom label,
 * digiKam and darktable keep it), and only when the sidecar has no label of its own, so a colour label
 * is never replaced; un-favouriting removes our "Favorite" label and nothing else. A favourite is not
 * turned into five stars (osxphotos can do that on export): stars and favourites stay separate things.
 * As with captions ([Note: XMP edits are splices]), only those ranges of the text change, and the result
 * must read back our values with everything else equal, or the sidecar is left alone.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { stemOf } from './sidecar-path';
import { descriptionsOf } from './xmp-read';
import { elementEnd, elementStart, parseXmp, RDF_NS, tagEnd, XMLNS_NS, XmpParseError, type XmpSource } from './xmp-source';

export const XMP_NS = 'http://ns.adobe.com/xap/1.0/';

/** Sidecars larger than this are not packets a tool wrote for one photo: not read. */
const MAX_SIDECAR_BYTES = 4 * 1024 * 1024;

/** A rating as stored: -1 (rejected) to 5, whole; anything else is no rating. */
function rating(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const n = Number(text.trim());
  return Number.isFinite(n) && n >= -1 && n <= 5 ? Math.round(n) : null;
}

/** `xmp:Rating` of a packet, as an attribute of `rdf:Description` or as an element; null when absent. */
export function readRating(doc: Document): number | null {
  for (const d of descriptionsOf(doc)) {
    if (d.hasAttributeNS(XMP_NS, 'Rating')) return rating(d.getAttributeNS(XMP_NS, 'Rating'));
    const el = d.getElementsByTagNameNS(XMP_NS, 'Rating')[0];
    if (el) return rating(el.textContent);
  }
  return null;
}

/**
 * The rating in the sidecar of the file at `absPath`: `name.ext.xmp` first (fullname, one file's own),
 * then `name.xmp` (basename, darktable's and Lightroom's), each in lower or upper case. Null when there
 * is none, it says nothing, or it cannot be read (a broken sidecar is the user's file: never a failure
 * of the photo).
 */
export async function sidecarRating(absPath: string): Promise<number | null> {
  const slash = absPath.lastIndexOf('/');
  const dir = absPath.slice(0, slash + 1);
  const stem = stemOf(absPath.slice(slash + 1));
  for (const candidate of [`${absPath}.xmp`, `${absPath}.XMP`, `${dir}${stem}.xmp`, `${dir}${stem}.XMP`]) {
    const s = await stat(candidate).catch(() => null);
    if (!s?.isFile() || s.size > MAX_SIDECAR_BYTES) continue;
    try {
      return readRating(parseXmp(await readFile(candidate, 'utf8'), { locate: false }).doc);
    } catch {
      return null;
    }
  }
  return null;
}

/** The label a favourite is written as: see [Note: Ratings and favourites in XMP]. */
export const FAVOURITE_LABEL = 'Favorite';

/** What the user set in Shoebox; null leaves the sidecar's value as it is. */
export interface XmpMarks {
  rating: number | null;
  favourite: boolean | null;
}

export type MarksMerge = { kind: 'changed'; text: string } | { kind: 'unchanged' } | { kind: 'refused'; reason: string };

type Local = 'Rating' | 'Label';
type SimpleProperty =
  | { form: 'attribute'; holder: Element; qname: string; value: string }
  | { form: 'element'; holder: Element; element: Element; value: string };

/** Where `xmp:<local>` is set in a packet; two places (invalid XMP) are refused, not guessed. */
function findSimple(doc: Document, local: Local): SimpleProperty | null {
  const found: SimpleProperty[] = [];
  for (const d of descriptionsOf(doc)) {
    const attr = Array.from(d.attributes).find((a) => a.namespaceURI === XMP_NS && a.localName === local);
    if (attr) found.push({ form: 'attribute', holder: d, qname: attr.name, value: attr.value });
    for (let c = d.firstChild; c; c = c.nextSibling) {
      const el = c as Element;
      if (c.nodeType === c.ELEMENT_NODE && el.namespaceURI === XMP_NS && el.localName === local) {
        found.push({ form: 'element', holder: d, element: el, value: (el.textContent ?? '').trim() });
      }
    }
  }
  if (found.length > 1) throw new Error(`xmp:${local} is set more than once`);
  return found[0] ?? null;
}

/** The attribute `qname="value"` with the whitespace before it, as in the text. */
function attributeSpan(src: XmpSource, holder: Element, qname: string): { start: number; end: number } {
  const lt = elementStart(src, holder);
  const head = src.text.slice(lt, tagEnd(src.text, lt));
  const m = new RegExp(`\\s+${qname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=\\s*("[^"]*"|'[^']*')`).exec(head);
  if (!m) throw new Error(`source position of attribute ${qname} does not match`);
  return { start: lt + m.index, end: lt + m.index + m[0].length };
}

/** Merges the user's rating and favourite into a sidecar's text: see [Note: Ratings and favourites in XMP]. */
export function mergeMarks(existing: string, marks: XmpMarks): MarksMerge {
  try {
    return mergeMarksOrThrow(existing, marks);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { kind: 'refused', reason: err instanceof XmpParseError ? `is not valid XMP (${why})` : `cannot be merged safely (${why})` };
  }
}

function mergeMarksOrThrow(existing: string, marks: XmpMarks): MarksMerge {
  const bom = existing.startsWith('\uFEFF');
  const src = parseXmp(existing);
  const holder = descriptionsOf(src.doc)[0];
  if (!holder) throw new Error('the packet has no rdf:Description');
  const rating = findSimple(src.doc, 'Rating');
  const label = findSimple(src.doc, 'Label');
  // undefined: leave as it is; null: remove; a string: set.
  const want: Record<Local, string | null | undefined> = {
    Rating: marks.rating === null || rating?.value === String(marks.rating) ? undefined : String(marks.rating),
    Label:
      marks.favourite === true && (label === null || label.value === '')
        ? FAVOURITE_LABEL
        : marks.favourite === false && label?.value === FAVOURITE_LABEL
          ? null
          : undefined,
  };
  if (want.Rating === undefined && want.Label === undefined) return { kind: 'unchanged' };

  const edits: { start: number; end: number; text: string }[] = [];
  let prefix: string | null = holder.lookupPrefix(XMP_NS);
  const prefixOf = () => {
    if (prefix !== null) return prefix;
    let p = 'xmp';
    for (let n = 2; holder.lookupNamespaceURI(p) !== null; n++) p = `xmp${n}`;
    prefix = p;
    const lt = elementStart(src, holder);
    const gt = tagEnd(src.text, lt);
    const at = src.text[gt - 1] === '/' ? gt - 1 : gt;
    edits.push({ start: at, end: at, text: ` xmlns:${p}="${XMP_NS}"` });
    return p;
  };
  for (const local of ['Rating', 'Label'] as const) {
    const value = want[local];
    if (value === undefined) continue;
    const prop = local === 'Rating' ? rating : label;
    if (prop?.form === 'attribute') {
      const span = attributeSpan(src, prop.holder, prop.qname);
      edits.push({ ...span, text: value === null ? '' : ` ${prop.qname}="${value}"` });
    } else if (prop?.form === 'element') {
      const start = elementStart(src, prop.element);
      const end = elementEnd(src.text, start);
      if (value !== null) edits.push({ start, end, text: `<${prop.element.tagName}>${value}</${prop.element.tagName}>` });
      else {
        // Take the line the element stood on with it.
        let from = start;
        while (from > 0 && (src.text[from - 1] === ' ' || src.text[from - 1] === '\t')) from--;
        if (src.text[from - 1] === '\n') from--;
        if (src.text[from - 1] === '\r') from--;
        edits.push({ start: from, end, text: '' });
      }
    } else if (value !== null) {
      const p = prefixOf();
      const lt = elementStart(src, holder);
      const gt = tagEnd(src.text, lt);
      const at = src.text[gt - 1] === '/' ? gt - 1 : gt;
      edits.push({ start: at, end: at, text: ` ${p}:${local}="${value}"` });
    }
  }
  let text = src.text;
  // From the end; of two insertions at one place, the later one first, so they read in the order made.
  for (const e of edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i))
    text = text.slice(0, e.start) + e.text + text.slice(e.end);

  // Proof: our values read back, and nothing else changed.
  const after = parseXmp(text, { locate: false });
  const readBack = (local: Local) => findSimple(after.doc, local)?.value ?? null;
  const expected = (local: Local, before: SimpleProperty | null) => (want[local] === undefined ? (before?.value ?? null) : want[local]);
  if (readBack('Rating') !== expected('Rating', rating)) throw new Error('the rating did not read back');
  if (readBack('Label') !== expected('Label', label)) throw new Error('the label did not read back');
  if (canonicalWithoutMarks(after.doc) !== canonicalWithoutMarks(src.doc)) throw new Error('other fields would have changed');
  return { kind: 'changed', text: (bom ? '\uFEFF' : '') + text };
}

/** Everything in a packet except xmp:Rating, xmp:Label, the xmp namespace declaration and blank text. */
function canonicalWithoutMarks(doc: Document): string {
  const ours = (ns: string | null, local: string | null) => ns === XMP_NS && (local === 'Rating' || local === 'Label');
  const out: string[] = [];
  const walk = (node: Node, inDescription: boolean): void => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === c.ELEMENT_NODE) {
        const el = c as Element;
        if (inDescription && ours(el.namespaceURI, el.localName)) continue;
        const isHolder = el.namespaceURI === RDF_NS && el.localName === 'Description';
        const attrs = Array.from(el.attributes).filter(
          (a) => !(a.namespaceURI === XMLNS_NS && a.value === XMP_NS) && !(isHolder && ours(a.namespaceURI, a.localName)),
        );
        out.push(`<${el.tagName}`, ...attrs.map((a) => ` ${a.name}=${JSON.stringify(a.value)}`), '>');
        walk(el, isHolder);
        out.push(`</${el.tagName}>`);
      } else if (c.nodeType === c.TEXT_NODE) {
        if ((c.nodeValue ?? '').trim()) out.push(`T${JSON.stringify(c.nodeValue)}`);
      } else out.push(`${c.nodeType}:${c.nodeName}${JSON.stringify(c.nodeValue)}`);
    }
  };
  walk(doc, false);
  return out.join('');
}
