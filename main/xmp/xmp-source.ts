/**
 * @file An XMP packet as both a DOM (to read it by namespace, through @xmldom/xmldom) and its source
 * text (to edit it in place): parsing that refuses anything not well-formed, source offsets of nodes,
 * the extent of elements and attributes, indentation, and XML escaping.
 *
 * Runs in main; pure.
 *
 * [Note: XMP edits are splices] A sidecar is not re-serialised from the DOM: the serialiser would put
 * every attribute of darktable's multi-line `rdf:Description` start tag on one line, turn `'` quotes into
 * `"` and character references into other spellings. Instead the DOM says where our two properties are
 * (by namespace, whatever the prefixes), their source offsets come from the parser's locator, and only
 * those ranges of the text are replaced; every other byte stays as it was. xmp-merge.ts then re-parses
 * the result and proves that nothing but `dc:description` and `dc:subject` changed before it is written.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** A parsed packet: the DOM and the text its offsets refer to (without a leading byte-order mark). */
export interface XmpSource {
  doc: Document;
  text: string;
  /** Whether the file started with a UTF-8 byte-order mark, which is put back on write. */
  bom: boolean;
  lineStarts: number[];
}

/** Why a text is not a packet we can edit. */
export class XmpParseError extends Error {}

/**
 * Parses XMP text. Any parser error or warning (a mismatched tag, an unknown entity, an unbound prefix)
 * is refused: a sidecar we do not fully understand is never rewritten. Without `locate`, nodes carry no
 * source positions (offsetOf then throws).
 */
export function parseXmp(raw: string, { locate = true }: { locate?: boolean } = {}): XmpSource {
  const bom = raw.startsWith('\uFEFF');
  const text = bom ? raw.slice(1) : raw;
  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({
      // Positions cost about half the parse time: a packet that is only read back goes without.
      locator: locate,
      // Keep the text as it is on disk, so the locator's offsets are offsets into it.
      normalizeLineEndings: (s) => s,
      onError: (level, message) => problems.push(level === 'warning' ? `warning: ${message}` : message),
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw new XmpParseError(firstLine(problems[0] ?? (err instanceof Error ? err.message : String(err))));
  }
  if (problems.length > 0) throw new XmpParseError(firstLine(problems[0]!));
  return { doc, text, bom, lineStarts: lineStartsOf(text) };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/^\[xmldom \w+\]\s*/, '');
}

/** Offsets at which each line starts, counting line breaks the way the parser's locator does. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n?|\n/g)) starts.push(m.index + m[0].length);
  return starts;
}

/** The source offset where a node starts (an element's `<`; an attribute's opening quote). */
export function offsetOf(src: XmpSource, node: Node): number {
  const line = node.lineNumber;
  const col = node.columnNumber;
  const start = line === undefined ? undefined : src.lineStarts[line - 1];
  if (start === undefined || col === undefined) throw new Error(`no source position for ${node.nodeName}`);
  return start + col - 1;
}

/** The offset of an element's `<`, checked against its name. */
export function elementStart(src: XmpSource, el: Element): number {
  const at = offsetOf(src, el);
  if (!src.text.startsWith(`<${el.tagName}`, at)) throw new Error(`source position of <${el.tagName}> does not match`);
  return at;
}

/** The offset of the `>` that ends the tag opened at `lt` (quoted attribute values may hold `>`). */
export function tagEnd(text: string, lt: number): number {
  for (let i = lt + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) break;
      i = close;
    } else if (c === '>') return i;
  }
  throw new Error('unterminated tag');
}

/** The offset just past the end of the element whose `<` is at `lt` (the document is well-formed). */
export function elementEnd(text: string, lt: number): number {
  let depth = 0;
  let i = lt;
  for (;;) {
    const at = text.indexOf('<', i);
    if (at < 0) throw new Error('unterminated element');
    const skip = (open: string, close: string): number | null =>
      text.startsWith(open, at) ? text.indexOf(close, at + open.length) + close.length : null;
    const over = skip('<!--', '-->') ?? skip('<![CDATA[', ']]>') ?? skip('<?', '?>');
    if (over !== null) {
      i = over;
      continue;
    }
    const gt = tagEnd(text, at);
    i = gt + 1;
    if (text[at + 1] === '/') depth--;
    else if (text[gt - 1] !== '/') depth++;
    if (depth === 0) return i;
  }
}

/** An attribute's extent, with the whitespace before it (removing the range leaves a tidy tag). */
export function attributeRange(src: XmpSource, el: Element, qname: string): { start: number; end: number } {
  const node = el.getAttributeNode(qname);
  if (!node) throw new Error(`no attribute ${qname}`);
  const quoteAt = offsetOf(src, node);
  const quote = src.text[quoteAt];
  const close = src.text.indexOf(quote ?? '"', quoteAt + 1);
  const nameAt = src.text.lastIndexOf(qname, quoteAt);
  if ((quote !== '"' && quote !== "'") || close < 0 || nameAt < elementStart(src, el)) {
    throw new Error(`source position of attribute ${qname} does not match`);
  }
  let start = nameAt;
  while (start > 0 && /\s/.test(src.text[start - 1]!)) start--;
  return { start, end: close + 1 };
}

/**
 * The whitespace that indents the line a node starts on, or null when something else precedes the
 * node on its line (a packet written on one line: then we write ours compactly too).
 */
export function indentAt(text: string, offset: number): string | null {
  let i = offset;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') return null;
  return text.slice(i, offset);
}

/** The line break the packet uses. */
export function newlineOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Escapes text for element content. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Element children of a node. */
export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === c.ELEMENT_NODE) out.push(c as Element);
  return out;
}

/** Every element below `root` with a namespace and local name. */
export function elementsNS(root: Document | Element, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local));
}
