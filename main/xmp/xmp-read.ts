/**
 * @file Reads the two properties Shoebox writes, `dc:description` and `dc:subject`, from a parsed XMP
 * packet in either of the forms tools write (an element with an `rdf:Alt`/`rdf:Bag`, an element with
 * plain text, or an attribute of `rdf:Description`), and the canonical form of everything else that
 * proves a merge touched nothing but them.
 *
 * Runs in main; pure.
 */
import type { Document, Element, Node } from '@xmldom/xmldom';
import { childElements, DC_NS, elementsNS, RDF_NS, XML_NS, XMLNS_NS, type XmpSource, XmpParseError } from './xmp-source';

/** Where one of our properties sits in a packet. */
export type DcProperty =
  { form: 'element'; holder: Element; element: Element } | { form: 'attribute'; holder: Element; attribute: string; value: string };

/** `dc:description`, with the language alternatives other than the default one. */
export interface DescriptionValue {
  prop: DcProperty;
  /** The `x-default` text (else the first alternative, else the element's text). */
  text: string;
  /** `rdf:li` elements in other languages, kept when the default text is replaced. */
  otherLanguages: Element[];
}

/** `dc:subject`'s items in document order. */
export interface SubjectValue {
  prop: DcProperty;
  items: string[];
}

/** Text as read from XML: line breaks as `\n`. */
const plain = (s: string): string => s.replace(/\r\n?/g, '\n');

/** The `rdf:Description` elements of a packet. */
export function descriptionsOf(doc: Document): Element[] {
  return elementsNS(doc, RDF_NS, 'Description');
}

/** Finds the one place a `dc:` property is set. Two places (invalid XMP) are refused, not guessed. */
export function findProperty(doc: Document, local: 'description' | 'subject'): DcProperty | null {
  const found: DcProperty[] = [];
  for (const holder of descriptionsOf(doc)) {
    for (const el of childElements(holder)) {
      if (el.namespaceURI === DC_NS && el.localName === local) found.push({ form: 'element', holder, element: el });
    }
    const attr = holder.getAttributeNodeNS(DC_NS, local);
    if (attr) found.push({ form: 'attribute', holder, attribute: attr.name, value: attr.value });
  }
  if (found.length > 1) throw new XmpParseError(`it sets dc:${local} ${found.length} times`);
  return found[0] ?? null;
}

/** The `rdf:li` items of a property element's container (`rdf:Alt`, `rdf:Bag`, `rdf:Seq`), or null. */
function listItems(el: Element): Element[] | null {
  const container = childElements(el).find((c) => c.namespaceURI === RDF_NS && ['Alt', 'Bag', 'Seq'].includes(c.localName ?? ''));
  if (!container) return null;
  return childElements(container).filter((c) => c.namespaceURI === RDF_NS && c.localName === 'li');
}

/** Reads `dc:description`. */
export function readDescription(doc: Document): DescriptionValue | null {
  const prop = findProperty(doc, 'description');
  if (!prop) return null;
  if (prop.form === 'attribute') return { prop, text: plain(prop.value), otherLanguages: [] };
  const items = listItems(prop.element);
  if (!items) return { prop, text: plain(prop.element.textContent ?? ''), otherLanguages: [] };
  const byDefault = items.find((li) => li.getAttributeNS(XML_NS, 'lang') === 'x-default') ?? items[0];
  const text = plain(byDefault?.textContent ?? '');
  // An alternative repeating the default text is the default language's own copy: it follows the default.
  const otherLanguages = items.filter((li) => li !== byDefault && plain(li.textContent ?? '') !== text);
  return { prop, text, otherLanguages };
}

/** Reads `dc:subject`. An attribute or plain text holds one item. */
export function readSubject(doc: Document): SubjectValue | null {
  const prop = findProperty(doc, 'subject');
  if (!prop) return null;
  if (prop.form === 'attribute') return { prop, items: prop.value.trim() ? [plain(prop.value)] : [] };
  const items = listItems(prop.element);
  if (items) return { prop, items: items.map((li) => plain(li.textContent ?? '')) };
  const text = plain(prop.element.textContent ?? '').trim();
  return { prop, items: text ? [text] : [] };
}

/** The caption and tags a sidecar holds, as Shoebox reads them back. */
export function readXmpFields(src: XmpSource): { caption: string | null; tags: string[] } {
  const description = readDescription(src.doc);
  return { caption: description ? description.text : null, tags: readSubject(src.doc)?.items ?? [] };
}

const isOurs = (node: Node, parent: Node | null): boolean =>
  node.nodeType === node.ELEMENT_NODE &&
  (node as Element).namespaceURI === DC_NS &&
  ['description', 'subject'].includes((node as Element).localName ?? '') &&
  parent?.nodeType === node.ELEMENT_NODE &&
  (parent as Element).namespaceURI === RDF_NS &&
  (parent as Element).localName === 'Description';

/**
 * Everything in a packet except our two properties, their namespace declaration and whitespace-only
 * text, as one string. Equal before and after a merge means the merge changed nothing else.
 */
export function canonicalOthers(doc: Document): string {
  const out: string[] = [];
  const walk = (node: Node): void => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (isOurs(c, node)) continue;
      if (c.nodeType === c.ELEMENT_NODE) {
        const el = c as Element;
        const isHolder = el.namespaceURI === RDF_NS && el.localName === 'Description';
        const attrs = Array.from(el.attributes).filter(
          (a) =>
            !(a.namespaceURI === XMLNS_NS && a.value === DC_NS) &&
            !(isHolder && a.namespaceURI === DC_NS && ['description', 'subject'].includes(a.localName ?? '')),
        );
        out.push(`<${el.tagName}`, ...attrs.map((a) => ` ${a.name}=${JSON.stringify(a.value)}`), '>');
        walk(el);
        out.push(`</${el.tagName}>`);
      } else if (c.nodeType === c.TEXT_NODE) {
        if ((c.nodeValue ?? '').trim()) out.push(`T${JSON.stringify(c.nodeValue)}`);
      } else {
        out.push(`${c.nodeType}:${c.nodeName}${JSON.stringify(c.nodeValue)}`);
      }
    }
  };
  walk(doc);
  return out.join('');
}
