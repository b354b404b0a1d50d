/**
 * @file `npm run bench:places`: what the bundled gazetteer costs main ([Note: Places dataset] in
 * main/places/gazetteer.ts): decoding the table, building the name index, the memory both keep, reverse
 * lookups per second (points near real towns, and anywhere on Earth), and place names resolved per second.
 *
 * Run: node --expose-gc --import tsx test/bench/places.ts [--lookups 200000]
 * Under tsx the first import also transforms the 1.8 MB data module; the built app loads plain JS, so
 * "import" is an upper bound. Prints a table, then one JSON line.
 */
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const rss = () => {
  collect();
  return process.memoryUsage().rss / 2 ** 20;
};

async function main() {
  const lookups = arg('lookups', 200_000);
  const rss0 = rss();
  let t = performance.now();
  const { gazetteer } = await import('../../main/places/gazetteer');
  const { placeNames, foldPlaceName } = await import('../../main/places/place-names');
  const importMs = performance.now() - t;
  const rss1 = rss();
  t = performance.now();
  const g = gazetteer();
  const decodeMs = performance.now() - t;
  const rss2 = rss();
  t = performance.now();
  const names = placeNames();
  const namesMs = performance.now() - t;
  const rss3 = rss();

  // Near towns: a town's position moved by up to ~20 km; anywhere: uniform over the globe (mostly sea).
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const near: [number, number][] = [];
  const any: [number, number][] = [];
  for (let i = 0; i < lookups; i++) {
    const k = Math.floor(rand() * g.cityCount);
    near.push([(g.cityLat[k] ?? 0) + (rand() - 0.5) * 0.36, (g.cityLon[k] ?? 0) + (rand() - 0.5) * 0.36]);
    any.push([Math.asin(2 * rand() - 1) * (180 / Math.PI), rand() * 360 - 180]);
  }
  const rate = (pts: [number, number][]) => {
    const t0 = performance.now();
    let hits = 0;
    for (const [lat, lon] of pts) if (g.reverse(lat, lon)) hits++;
    return { perS: Math.round(pts.length / ((performance.now() - t0) / 1000)), hit: hits / pts.length };
  };
  const nearRate = rate(near);
  const anyRate = rate(any);
  const words = Array.from({ length: 50_000 }, (_, i) => g.cityName[(i * 7919) % g.cityCount] ?? '');
  t = performance.now();
  let found = 0;
  for (const w of words) if (names.lookup(foldPlaceName(w)).length) found++;
  const namesPerS = Math.round(words.length / ((performance.now() - t) / 1000));

  const out = {
    places: g.cityCount,
    import_ms: +importMs.toFixed(1),
    decode_ms: +decodeMs.toFixed(1),
    names_ms: +namesMs.toFixed(1),
    rss_import_mb: +(rss1 - rss0).toFixed(1),
    rss_decode_mb: +(rss2 - rss1).toFixed(1),
    rss_names_mb: +(rss3 - rss2).toFixed(1),
    lookups_per_s_near_towns: nearRate.perS,
    place_found_near_towns: +nearRate.hit.toFixed(3),
    lookups_per_s_anywhere: anyRate.perS,
    place_found_anywhere: +anyRate.hit.toFixed(3),
    name_lookups_per_s: namesPerS,
    names_found: found / words.length,
  };
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(28)} ${v}`);
  console.log(JSON.stringify(out));
}

void main();

export {};
