/**
 * @file Merging captions and tags into XMP sidecar text (issue 8, item 6): new packets, darktable's and
 * Lightroom's sidecars kept byte for byte outside our two properties, the attribute form, merge and
 * replace of subjects, special characters, and packets that must be refused.
 */
import { describe, expect, it } from 'vitest';
import { mergeXmp, mergedSubjects, NEW_SIDECAR, type MergeResult } from '../../main/xmp/xmp-merge';
import { canonicalOthers, readXmpFields } from '../../main/xmp/xmp-read';
import { parseXmp } from '../../main/xmp/xmp-source';

const DC = 'http://purl.org/dc/elements/1.1/';

/** A darktable 4.x sidecar (`DSC_4821.NEF.xmp`) as it writes them: multi-line start tags, no xpacket. */
const DARKTABLE = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:darktable="http://darktable.sf.net/"
   exif:DateTimeOriginal="2023:07:14 18:22:05"
   xmp:Rating="3"
   xmpMM:DerivedFrom="DSC_4821.NEF"
   darktable:import_timestamp="63826828925000000"
   darktable:change_timestamp="63826829011000000"
   darktable:xmp_version="5"
   darktable:raw_params="0"
   darktable:auto_presets_applied="1"
   darktable:history_end="2"
   darktable:iop_order_version="4">
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="rawprepare"
      darktable:enabled="1"
      darktable:modversion="2"
      darktable:params="00000000000000000000000000000000ff3f0000"
      darktable:multi_name=""
      darktable:multi_priority="0"
      darktable:blendop_version="14"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QWwggYPfHwAGbgHSA=="/>
     <rdf:li
      darktable:num="1"
      darktable:operation="exposure"
      darktable:enabled="1"
      darktable:modversion="6"
      darktable:params="00000000333333bf0000003f0000484200000000"
      darktable:multi_name='&lt;clip&gt; &amp; "more"'
      darktable:multi_priority="0"
      darktable:blendop_version="14"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QWwggYPfHwAGbgHSA=="/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

/** A Lightroom Classic sidecar (`IMG_0412.xmp`) with a caption in two languages, keywords and develop settings. */
const LIGHTROOM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00        ">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
   xmp:ModifyDate="2023-08-02T21:14:09+02:00"
   xmp:Rating="4"
   xmp:Label="Red"
   tiff:Make="Canon"
   tiff:Model="Canon EOS R6"
   exif:ExposureTime="1/250"
   exif:FNumber="8/1"
   photoshop:DateCreated="2023-08-02T19:41:33.52"
   crs:Version="15.4"
   crs:ProcessVersion="11.0"
   crs:WhiteBalance="As Shot"
   crs:Exposure2012="+0.35"
   crs:Shadows2012="+42"
   crs:HasCrop="False">
   <dc:description>
    <rdf:Alt>
     <rdf:li xml:lang="x-default">Old caption</rdf:li>
     <rdf:li xml:lang="de-DE">Alte Bildunterschrift</rdf:li>
    </rdf:Alt>
   </dc:description>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Beach</rdf:li>
     <rdf:li>Sunset</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Beach</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:5f3c2f0e-8d1b-4c7e-9a52-0d3f1b2e6a71"
      stEvt:when="2023-08-02T21:14:09+02:00"
      stEvt:softwareAgent="Adobe Photoshop Lightroom Classic 12.4 (Macintosh)"
      stEvt:changed="/metadata"/>
    </rdf:Seq>
   </xmpMM:History>
   <crs:ToneCurvePV2012>
    <rdf:Seq>
     <rdf:li>0, 0</rdf:li>
     <rdf:li>255, 255</rdf:li>
    </rdf:Seq>
   </crs:ToneCurvePV2012>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

function changed(r: MergeResult): string {
  if (r.kind !== 'changed') throw new Error(`expected a change, got ${JSON.stringify(r)}`);
  return r.text;
}
const fields = (text: string) => readXmpFields(parseXmp(text));
/** A packet with our two properties blanked, to compare everything else byte for byte. */
const others = (text: string) =>
  text.replace(/<dc:description>[\s\S]*?<\/dc:description>/, 'D').replace(/<dc:subject>[\s\S]*?<\/dc:subject>/, 'S');

describe('a new sidecar', () => {
  it('gets the xpacket wrapper and the standard skeleton with dc:description as rdf:Alt and dc:subject as rdf:Bag', () => {
    const text = changed(mergeXmp(null, { caption: 'Two dogs on a beach', tags: ['dog', 'beach'] }));
    expect(text).toBe(
      [
        '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Shoebox">',
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '  <rdf:Description rdf:about=""',
        `    xmlns:dc="${DC}">`,
        '   <dc:description>',
        '    <rdf:Alt>',
        '     <rdf:li xml:lang="x-default">Two dogs on a beach</rdf:li>',
        '    </rdf:Alt>',
        '   </dc:description>',
        '   <dc:subject>',
        '    <rdf:Bag>',
        '     <rdf:li>dog</rdf:li>',
        '     <rdf:li>beach</rdf:li>',
        '    </rdf:Bag>',
        '   </dc:subject>',
        '  </rdf:Description>',
        ' </rdf:RDF>',
        '</x:xmpmeta>',
        '<?xpacket end="w"?>',
        '',
      ].join('\n'),
    );
  });

  it('is not made when there is nothing to write', () => {
    expect(mergeXmp(null, { caption: null, tags: [] })).toEqual({ kind: 'empty' });
    expect(mergeXmp(null, { caption: '   ', tags: [' '] })).toEqual({ kind: 'empty' });
  });

  it('holds only what is given: tags without a caption', () => {
    const text = changed(mergeXmp(null, { caption: null, tags: ['cat'] }));
    expect(text).not.toContain('dc:description');
    expect(fields(text)).toEqual({ caption: null, tags: ['cat'] });
  });
});

describe("merging into darktable's sidecar", () => {
  it('declares dc beside the other namespaces, appends our properties, and keeps every other byte', () => {
    const text = changed(mergeXmp(DARKTABLE, { caption: 'Harbour at dusk', tags: ['boat', 'harbour'] }));
    const expected = DARKTABLE.replace(
      '    xmlns:darktable="http://darktable.sf.net/"\n',
      `    xmlns:darktable="http://darktable.sf.net/"\n    xmlns:dc="${DC}"\n`,
    ).replace(
      '   </darktable:history>\n',
      [
        '   </darktable:history>',
        '   <dc:description>',
        '    <rdf:Alt>',
        '     <rdf:li xml:lang="x-default">Harbour at dusk</rdf:li>',
        '    </rdf:Alt>',
        '   </dc:description>',
        '   <dc:subject>',
        '    <rdf:Bag>',
        '     <rdf:li>boat</rdf:li>',
        '     <rdf:li>harbour</rdf:li>',
        '    </rdf:Bag>',
        '   </dc:subject>',
        '',
      ].join('\n'),
    );
    expect(text).toBe(expected);
  });

  it('is idempotent: the same caption and tags again change nothing', () => {
    const once = changed(mergeXmp(DARKTABLE, { caption: 'Harbour at dusk', tags: ['boat'] }));
    expect(mergeXmp(once, { caption: 'Harbour at dusk', tags: ['Boat'] })).toEqual({ kind: 'unchanged' });
    expect(mergeXmp(once, { caption: null, tags: [] })).toEqual({ kind: 'unchanged' });
  });
});

describe("merging into Lightroom's sidecar", () => {
  it('replaces the default caption, keeps the German one, adds only new tags, and keeps everything else byte for byte', () => {
    const text = changed(mergeXmp(LIGHTROOM, { caption: 'A pier at dusk', tags: ['beach', 'pier', 'SUNSET'] }));
    expect(others(text)).toBe(others(LIGHTROOM));
    expect(text).toContain(
      [
        '   <dc:description>',
        '    <rdf:Alt>',
        '     <rdf:li xml:lang="x-default">A pier at dusk</rdf:li>',
        '     <rdf:li xml:lang="de-DE">Alte Bildunterschrift</rdf:li>',
        '    </rdf:Alt>',
        '   </dc:description>',
      ].join('\n'),
    );
    expect(fields(text)).toEqual({ caption: 'A pier at dusk', tags: ['Beach', 'Sunset', 'pier'] });
  });

  it('leaves the description alone when the caption is null, and the file alone when the tags are all there', () => {
    expect(mergeXmp(LIGHTROOM, { caption: null, tags: ['beach', 'sunset'] })).toEqual({ kind: 'unchanged' });
    expect(mergeXmp(LIGHTROOM, { caption: ' Old caption ', tags: [] })).toEqual({ kind: 'unchanged' });
    const text = changed(mergeXmp(LIGHTROOM, { caption: null, tags: ['pier'] }));
    expect(fields(text).caption).toBe('Old caption');
    expect(text).toContain('<rdf:li xml:lang="de-DE">Alte Bildunterschrift</rdf:li>');
  });

  it('replaces the subjects when asked, and removes dc:subject when there are no tags', () => {
    const text = changed(mergeXmp(LIGHTROOM, { caption: null, tags: ['pier', 'Pier', 'night'] }, 'replace'));
    expect(fields(text).tags).toEqual(['pier', 'night']);
    const none = changed(mergeXmp(LIGHTROOM, { caption: null, tags: [] }, 'replace'));
    expect(none).not.toContain('dc:subject');
    expect(none).toContain('   </dc:description>\n   <lr:hierarchicalSubject>');
    expect(fields(none)).toEqual({ caption: 'Old caption', tags: [] });
    expect(mergeXmp(LIGHTROOM, { caption: null, tags: ['Beach', 'Sunset'] }, 'replace')).toEqual({ kind: 'unchanged' });
  });
});

describe('other packet shapes', () => {
  const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

  it('rewrites the attribute form as elements and keeps the rest of the start tag', () => {
    const src = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}"><rdf:Description rdf:about="" xmlns:dc="${DC}" xmlns:xmp="http://ns.adobe.com/xap/1.0/" dc:description="old" xmp:Rating='5' dc:subject="one"/></rdf:RDF></x:xmpmeta>`;
    const text = changed(mergeXmp(src, { caption: 'new', tags: ['two'] }));
    expect(text).toBe(
      `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}"><rdf:Description rdf:about="" xmlns:dc="${DC}" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating='5'>` +
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">new</rdf:li></rdf:Alt></dc:description>' +
        '<dc:subject><rdf:Bag><rdf:li>one</rdf:li><rdf:li>two</rdf:li></rdf:Bag></dc:subject>' +
        '</rdf:Description></rdf:RDF></x:xmpmeta>',
    );
    expect(mergeXmp(src, { caption: 'old', tags: ['ONE'] })).toEqual({ kind: 'unchanged' });
  });

  it("writes into ExifTool's one-Description-per-namespace layout where dc already lives, keeping its single quotes", () => {
    const exiftool = [
      `<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>`,
      `<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='Image::ExifTool 12.76'>`,
      `<rdf:RDF xmlns:rdf='${RDF}'>`,
      '',
      ` <rdf:Description rdf:about=''`,
      `  xmlns:xmp='http://ns.adobe.com/xap/1.0/'>`,
      '  <xmp:Rating>5</xmp:Rating>',
      ' </rdf:Description>',
      '',
      ` <rdf:Description rdf:about=''`,
      `  xmlns:dc='${DC}'>`,
      '  <dc:subject>',
      '   <rdf:Bag>',
      '    <rdf:li>cat</rdf:li>',
      '   </rdf:Bag>',
      '  </dc:subject>',
      ' </rdf:Description>',
      '</rdf:RDF>',
      '</x:xmpmeta>',
      `<?xpacket end='w'?>`,
    ].join('\n');
    const text = changed(mergeXmp(exiftool, { caption: 'A cat', tags: ['cat', 'sofa'] }));
    expect(text).toBe(
      exiftool.replace(
        '  <dc:subject>\n   <rdf:Bag>\n    <rdf:li>cat</rdf:li>\n   </rdf:Bag>\n  </dc:subject>\n',
        [
          '  <dc:subject>',
          '   <rdf:Bag>',
          '    <rdf:li>cat</rdf:li>',
          '    <rdf:li>sofa</rdf:li>',
          '   </rdf:Bag>',
          '  </dc:subject>',
          '  <dc:description>',
          '   <rdf:Alt>',
          '    <rdf:li xml:lang="x-default">A cat</rdf:li>',
          '   </rdf:Alt>',
          '  </dc:description>',
          '',
        ].join('\n'),
      ),
    );
  });

  it('uses the prefix the packet binds to Dublin Core, and adds a Description to an empty rdf:RDF', () => {
    const odd = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}"><rdf:Description xmlns:d="${DC}"><d:subject><rdf:Seq><rdf:li>a</rdf:li></rdf:Seq></d:subject></rdf:Description></rdf:RDF></x:xmpmeta>`;
    const text = changed(mergeXmp(odd, { caption: 'c', tags: ['b'] }));
    expect(text).toContain('<d:subject><rdf:Bag><rdf:li>a</rdf:li><rdf:li>b</rdf:li></rdf:Bag></d:subject>');
    expect(text).toContain('<d:description><rdf:Alt><rdf:li xml:lang="x-default">c</rdf:li></rdf:Alt></d:description>');
    const empty = changed(
      mergeXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}"></rdf:RDF></x:xmpmeta>`, { caption: 'c', tags: [] }),
    );
    expect(fields(empty)).toEqual({ caption: 'c', tags: [] });
  });

  it('keeps a byte-order mark and Windows line breaks', () => {
    const crlf = '\uFEFF' + DARKTABLE.replace(/\n/g, '\r\n');
    const text = changed(mergeXmp(crlf, { caption: 'c', tags: ['t'] }));
    expect(text.startsWith('\uFEFF<?xml')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('   </darktable:history>\r\n   <dc:description>\r\n    <rdf:Alt>\r\n');
  });

  it('round-trips Unicode and the XML special characters & < > " \'', () => {
    const caption = `Tom & Jerry's "big" <day> — 東京 🍣 l'été`;
    const tags = ['R&D', '<b>bold</b>', `"quoted"`, "it's", 'café', '東京', 'ok\u0007'];
    const text = changed(mergeXmp(DARKTABLE, { caption, tags }));
    expect(text).toContain('Tom &amp; Jerry\'s "big" &lt;day&gt;');
    expect(fields(text)).toEqual({ caption, tags: ['R&D', '<b>bold</b>', '"quoted"', "it's", 'café', '東京', 'ok'] });
    expect(mergeXmp(text, { caption, tags })).toEqual({ kind: 'unchanged' });
  });

  it('refuses what it cannot merge safely', () => {
    const refused = (text: string) => {
      const r = mergeXmp(text, { caption: 'c', tags: ['t'] });
      expect(r.kind).toBe('refused');
      return r.kind === 'refused' ? r.reason : '';
    };
    expect(refused(DARKTABLE.replace('</darktable:history>', ''))).toMatch(/mismatch|unclosed|end tag/i);
    expect(refused('not xml at all')).toBeTruthy();
    expect(refused('<a>&nbsp;</a>')).toMatch(/entity/);
    expect(refused('<html><body/></html>')).toBe('is not valid XMP (no rdf:RDF element)');
    // A kept alternative that needs a namespace declared on the element being replaced: the check catches it.
    const scoped = LIGHTROOM.replace('<dc:description>', '<dc:description xmlns:my="urn:my">').replace(
      '<rdf:li xml:lang="de-DE">',
      '<rdf:li xml:lang="de-DE" my:by="hand">',
    );
    expect(refused(scoped)).toMatch(/^cannot be merged safely \(the result would not parse: .*namespace/);
    expect(refused(LIGHTROOM.replace('xmp:Rating="4"', `dc:description="twice"`))).toBe(
      'is not valid XMP (it sets dc:description 2 times)',
    );
  });
});

describe('canonicalOthers (the check behind every merge)', () => {
  const canon = (text: string) => canonicalOthers(parseXmp(text).doc);

  it('ignores our two properties, their namespace declaration and layout, and sees any other change', () => {
    const merged = changed(mergeXmp(DARKTABLE, { caption: 'c', tags: ['t'] }));
    expect(canon(merged)).toBe(canon(DARKTABLE));
    expect(canon(LIGHTROOM.replace('Old caption', 'x').replace('<rdf:li>Sunset</rdf:li>', ''))).toBe(canon(LIGHTROOM));
    expect(canon(LIGHTROOM.replace('xmp:Rating="4"', 'xmp:Rating="5"'))).not.toBe(canon(LIGHTROOM));
    expect(canon(LIGHTROOM.replace('<rdf:li>0, 0</rdf:li>', ''))).not.toBe(canon(LIGHTROOM));
    expect(canon(LIGHTROOM.replace('Places|Beach', 'Places|Sea'))).not.toBe(canon(LIGHTROOM));
    expect(
      canon(
        DARKTABLE.replace(
          '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n',
          `    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n    xmlns:q="urn:q"\n`,
        ),
      ),
    ).not.toBe(canon(DARKTABLE));
  });
});

describe('mergedSubjects', () => {
  it('keeps existing subjects and their spelling, adds ours without case-insensitive duplicates', () => {
    expect(mergedSubjects(['Beach', 'beach'], ['BEACH', ' dog ', 'Dog', 'Straße'], 'merge')).toEqual(['Beach', 'beach', 'dog', 'Straße']);
    expect(mergedSubjects(['Beach'], ['dog', 'DOG', ''], 'replace')).toEqual(['dog']);
  });

  it('starts new sidecars from a packet that parses', () => {
    expect(fields(NEW_SIDECAR)).toEqual({ caption: null, tags: [] });
  });
});
