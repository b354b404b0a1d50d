/**
 * @file Merging the user's stars and favourite into XMP sidecar text ([Note: Ratings and favourites in
 * XMP]): attribute and element forms are updated in place, a missing rating is added with its namespace,
 * a colour label is never replaced, our favourite label is removed on un-favouriting, every other byte
 * stays, and a packet that sets a property twice is refused. Reading `xmp:Rating` in both forms.
 */
import { describe, expect, it } from 'vitest';
import { mergeMarks, readRating, FAVOURITE_LABEL } from '../../main/xmp/xmp-marks';
import { NEW_SIDECAR } from '../../main/xmp/xmp-merge';
import { parseXmp } from '../../main/xmp/xmp-source';

const RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"';
const XMP = 'xmlns:xmp="http://ns.adobe.com/xap/1.0/"';
const packet = (description: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF ${RDF}>\n${description}\n </rdf:RDF>\n</x:xmpmeta>\n`;
const changed = (text: string, marks: Parameters<typeof mergeMarks>[1]) => {
  const r = mergeMarks(text, marks);
  if (r.kind !== 'changed') throw new Error(`expected a change, got ${JSON.stringify(r)}`);
  return r.text;
};

describe('mergeMarks', () => {
  it('replaces a rating attribute in place and keeps every other byte', () => {
    const before = packet(`  <rdf:Description rdf:about=""\n    ${XMP}\n    xmp:Rating='2'\n    xmp:CreatorTool="darktable 4.6"/>`);
    const after = changed(before, { rating: 5, favourite: null });
    expect(after).toBe(before.replace(`\n    xmp:Rating='2'`, ' xmp:Rating="5"'));
    expect(readRating(parseXmp(after).doc)).toBe(5);
  });

  it('replaces a rating element and adds the favourite label beside it', () => {
    const before = packet(`  <rdf:Description rdf:about="" ${XMP}>\n   <xmp:Rating>1</xmp:Rating>\n  </rdf:Description>`);
    const after = changed(before, { rating: 0, favourite: true });
    expect(after).toBe(
      before
        .replace('<xmp:Rating>1</xmp:Rating>', '<xmp:Rating>0</xmp:Rating>')
        .replace(`${XMP}>`, `${XMP} xmp:Label="${FAVOURITE_LABEL}">`),
    );
  });

  it('adds the rating and the xmp namespace to a new sidecar', () => {
    const after = changed(NEW_SIDECAR, { rating: 3, favourite: false });
    expect(readRating(parseXmp(after).doc)).toBe(3);
    expect(after).toContain('xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3"');
    expect(after).not.toContain('Label');
  });

  it('never replaces a colour label, and removes only its own favourite label', () => {
    const red = packet(`  <rdf:Description rdf:about="" ${XMP} xmp:Label="Red"/>`);
    expect(mergeMarks(red, { rating: null, favourite: true })).toEqual({ kind: 'unchanged' });
    expect(mergeMarks(red, { rating: null, favourite: false })).toEqual({ kind: 'unchanged' });
    const fav = packet(`  <rdf:Description rdf:about="" ${XMP}>\n   <xmp:Label>${FAVOURITE_LABEL}</xmp:Label>\n  </rdf:Description>`);
    expect(changed(fav, { rating: null, favourite: false })).toBe(fav.replace(`\n   <xmp:Label>${FAVOURITE_LABEL}</xmp:Label>`, ''));
  });

  it('leaves a sidecar that already says it alone, and refuses one that sets the rating twice', () => {
    const same = packet(`  <rdf:Description rdf:about="" ${XMP} xmp:Rating="4" xmp:Label="${FAVOURITE_LABEL}"/>`);
    expect(mergeMarks(same, { rating: 4, favourite: true })).toEqual({ kind: 'unchanged' });
    const twice = packet(`  <rdf:Description rdf:about="" ${XMP} xmp:Rating="4">\n   <xmp:Rating>2</xmp:Rating>\n  </rdf:Description>`);
    expect(mergeMarks(twice, { rating: 1, favourite: null })).toEqual({ kind: 'refused', reason: expect.stringMatching(/more than once/) });
    expect(mergeMarks('<x:xmpmeta', { rating: 1, favourite: null })).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/not valid XMP/),
    });
  });
});
