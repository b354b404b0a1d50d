/**
 * @file The synthetic library of `npm run bench:search` (./search.ts): photos with dates, cameras, files
 * in dated folders, places (the `places` / `photo_places` rows the FTS `places` column is made from),
 * captions, tags and text in the image as the understanding step stores them, and one 384-d description
 * embedding per photo written through the embeddings repository. Everything is seeded, so a size and a
 * seed always make the same library.
 *
 * Runs under tsx in plain Node. Rows are written with plain SQL in large transactions, so the FTS
 * triggers of migrations 0005/0006 and the embedding triggers of 0007 do exactly what they do in the app.
 *
 * [Note: Benchmark vectors] A caption is "A <adjective> <subject> <verb> <scene> <time>." and its vector
 * is normalise(subject + scene + 0.4·time + 0.2·adjective + noise), from fixed random unit vectors per
 * word: photos of the same subject and scene form clusters, neighbouring topics overlap, and a query's
 * vector made the same way from its words is near them, so dense search has real structure to find. A
 * query's vector comes from its words' concepts (synonyms share them: "puppy" is the dog's), never from
 * a model: dense query embedding time is not part of the benchmark.
 */
import type { Db } from '../../main/db/open';
import { createEmbeddingsRepo } from '../../main/db/embeddings.repo';
import { describePhoto, descriptionHash } from '../../main/search/description';
import { rng } from './bench-helpers';

export const DIM = 384;

const SUBJECTS =
  'dog|cat|child|woman|man|family|bicycle|car|boat|tram|horse|bird|cake|pizza|coffee|flowers|tree|bridge|church|castle|market|train|airplane|kite|guitar|sheep|cow|fountain|lighthouse|tent|surfer|skier|runner|baby|couple|crowd|statue|painting|book|laptop'.split(
    '|',
  );
const SYNONYMS: Record<string, string> = {
  horses: 'horse',
  dogs: 'dog',
  cats: 'cat',
  puppy: 'dog',
  hound: 'dog',
  kitten: 'cat',
  kid: 'child',
  bike: 'bicycle',
  streetcar: 'tram',
  sea: 'beach',
  seaside: 'beach',
  dusk: 'sunset',
};
const SCENES =
  'beach|park|kitchen|garden|street|forest|snow|desert|harbour|stadium|museum|living room|office|mountain|lake|river|square|station|farm|vineyard|cafe|playground|meadow|cliff'.split(
    '|',
  );
const TIMES = 'at sunset|at night|in the morning|in the rain|under a blue sky|in the fog|at dawn|in autumn'.split('|');
const ADJECTIVES = 'yellow|red|small|old|happy|sleepy|wooden|crowded|quiet|tall|blue|tiny|busy|lonely'.split('|');
const VERBS = 'resting on|walking through|seen from|standing in|waiting at|playing in|parked by|crossing'.split('|');
const CAMERAS = [
  ['Apple', 'iPhone 13'],
  ['Apple', 'iPhone 15 Pro'],
  ['Canon', 'EOS R6'],
  ['Nikon', 'D750'],
  ['Sony', 'ILCE-7M3'],
  ['FUJIFILM', 'X-T30'],
  ['Google', 'Pixel 7'],
  ['samsung', 'SM-G991B'],
] as const;
/** [GeoNames id, city, region, region code, country, country code, other names]: the gazetteer's own ids and codes. */
const PLACES = [
  [2267057, 'Lisbon', 'Lisbon', 'PT.14', 'Portugal', 'PT', 'Lisboa ; Lissabon'],
  [2735943, 'Porto', 'Porto', 'PT.17', 'Portugal', 'PT', 'Oporto'],
  [2988507, 'Paris', 'Île-de-France', 'FR.11', 'France', 'FR', 'Parigi'],
  [2950159, 'Berlin', 'Berlin', 'DE.16', 'Germany', 'DE', 'Deutschland'],
  [2867714, 'Munich', 'Bavaria', 'DE.02', 'Germany', 'DE', 'München ; Deutschland'],
  [1850147, 'Tokyo', 'Tokyo', 'JP.40', 'Japan', 'JP', '東京 ; 日本'],
  [1857910, 'Kyoto', 'Kyoto', 'JP.22', 'Japan', 'JP', '京都 ; 日本'],
  [5128581, 'New York', 'New York', 'US.NY', 'United States', 'US', 'Nueva York'],
  [3169070, 'Rome', 'Lazio', 'IT.07', 'Italy', 'IT', 'Roma ; Italia'],
  [3128760, 'Barcelona', 'Catalonia', 'ES.56', 'Spain', 'ES', 'España'],
  [3413829, 'Reykjavík', 'Capital Region', 'IS.39', 'Iceland', 'IS', 'Reykjavik ; Ísland'],
  [3369157, 'Cape Town', 'Western Cape', 'ZA.11', 'South Africa', 'ZA', 'Kaapstad'],
] as const;
const SIGNS = [
  'EXIT',
  'SUPERMERCADO PÃO DE AÇÚCAR TOTAL 12,40',
  'RUA AUGUSTA',
  'NO PARKING',
  'OPEN 9-17',
  'BAHNHOF',
  'MENU DEL DIA 14 EUR',
  'GATE B12',
];
/** Tag labels of the default taxonomy (migration 0003) that a subject or scene implies. */
const TAGS: Record<string, string[]> = {
  dog: ['dog'],
  cat: ['cat'],
  bird: ['bird'],
  horse: ['horse'],
  cake: ['cake', 'dessert'],
  pizza: ['food', 'meal'],
  coffee: ['coffee'],
  flowers: ['flowers'],
  bridge: ['bridge'],
  church: ['church', 'architecture'],
  castle: ['architecture', 'monument'],
  train: ['train'],
  airplane: ['airplane'],
  boat: ['boat'],
  bicycle: ['bicycle'],
  car: ['car'],
  child: ['child'],
  baby: ['baby'],
  family: ['family'],
  couple: ['couple'],
  crowd: ['crowd'],
  book: ['book'],
  laptop: ['computer'],
  beach: ['beach'],
  park: ['park'],
  garden: ['garden'],
  street: ['street', 'city'],
  forest: ['forest'],
  snow: ['snow'],
  desert: ['desert'],
  mountain: ['mountain', 'landscape'],
  lake: ['lake'],
  river: ['river'],
  'at sunset': ['sunset'],
  'at night': ['night'],
  'in the rain': ['rain'],
  'in the fog': ['fog'],
};

/** Known items: a rare word pair planted in one photo each; queries made of them must find it. */
export const KNOWN_NOUNS = [
  'quokka',
  'zeppelin',
  'harpsichord',
  'narwhal',
  'samovar',
  'metronome',
  'gondola',
  'theremin',
  'axolotl',
  'periscope',
];
export const KNOWN_NAMES = ['Bartholomew', 'Wilhelmina', 'Ottoline', 'Peregrine', 'Ignatius'];
/** Filtered known items: a word shared by many photos of other years; the query's year finds the one. */
export const FILTERED_WORDS = ['tangerine', 'marmalade', 'tambourine', 'origami', 'lantern'];
export const FILTERED_YEAR = 2013;
const DISTRACTORS_PER_FILTERED = 1500;

export interface Vocab {
  words: Map<string, Float32Array>;
}

function unitVector(r: () => number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i += 2) {
    // Box–Muller: two normals per pair of uniforms.
    const u = r() || 1e-12;
    const w = r();
    const m = Math.sqrt(-2 * Math.log(u));
    v[i] = m * Math.cos(2 * Math.PI * w);
    if (i + 1 < DIM) v[i + 1] = m * Math.sin(2 * Math.PI * w);
  }
  return normalise(v);
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Fixed random unit vectors for every word with meaning ([Note: Benchmark vectors]). */
export function vocabulary(seed: number): Vocab {
  const r = rng(seed * 7919 + 1);
  const words = new Map<string, Float32Array>();
  for (const w of [...SUBJECTS, ...SCENES, ...TIMES, ...ADJECTIVES, ...KNOWN_NOUNS, ...FILTERED_WORDS]) words.set(w, unitVector(r));
  return { words };
}

/** A vector from concept words with weights, plus noise of norm `noise`. */
export function vectorOf(vocab: Vocab, parts: readonly (readonly [string, number])[], noise: number, r: () => number): Float32Array {
  const v = new Float32Array(DIM);
  for (const [word, weight] of parts) {
    const u = vocab.words.get(SYNONYMS[word] ?? word);
    if (u) for (let i = 0; i < DIM; i++) v[i]! += weight * u[i]!;
  }
  if (noise > 0) {
    const n = unitVector(r);
    for (let i = 0; i < DIM; i++) v[i]! += noise * n[i]!;
  }
  return normalise(v);
}

/** A query's vector: its words that have meaning, as a photo of them would be embedded (no noise). */
export function queryVector(vocab: Vocab, query: string): Float32Array {
  const text = query.toLowerCase();
  const parts: [string, number][] = [];
  for (const w of [...vocab.words.keys(), ...Object.keys(SYNONYMS)])
    if (new RegExp(`\\b${w}\\b`, 'u').test(text)) parts.push([w, (TIMES as readonly string[]).includes(w) ? 0.4 : 1]);
  return parts.length ? vectorOf(vocab, parts, 0, () => 0.5) : vectorOf(vocab, [['coffee', 0.01]], 1, rng(text.length + 1));
}

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

export interface Planted {
  known: { query: string; photoId: number }[];
  filtered: { query: string; photoId: number }[];
}

/** Builds the library of `n` photos into a migrated, empty database; returns the planted known items. */
export function buildLibrary(db: Db, n: number, seed: number, vocab: Vocab, modelId: string, onProgress?: (done: number) => void): Planted {
  const r = rng(seed);
  const embeddings = createEmbeddingsRepo(db);
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/bench/photos', 0)").run();
  const labelId = new Map(
    db
      .prepare<[], { id: number; label: string }>('SELECT id, label FROM tag_labels')
      .all()
      .map((l) => [l.label, l.id]),
  );
  const insertPlace = db.prepare(
    'INSERT INTO places (id, country_code, region_code, city, region, country, other_names) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const [id, city, region, regionCode, country, code, other] of PLACES)
    insertPlace.run(id, code, regionCode, city, region, country, other);
  const photo = db.prepare(
    `INSERT INTO photos (id, hash, kind, mime, width, height, taken_at, file_time, camera_make, camera_model, thumb, created_at)
     VALUES (?, ?, 'image', 'image/jpeg', 4000, 3000, ?, ?, ?, ?, ?, 0)`,
  );
  const file = db.prepare(
    "INSERT INTO files (folder_id, rel_path, photo_id, size, mtime_ms, status, seen_at) VALUES (1, ?, ?, 1, 0, 'ok', 0)",
  );
  const caption = db.prepare(
    "INSERT INTO photo_captions (photo_id, text, finish, model_id, variant, version, made_at) VALUES (?, ?, 'stop', 'vlm', 'int8', 'u', 0)",
  );
  const tag = db.prepare("INSERT OR IGNORE INTO photo_tags (photo_id, label_id, source, score, made_at) VALUES (?, ?, 'model', 1, 0)");
  const text = db.prepare("INSERT INTO photo_texts (photo_id, text, finish, reason, made_at) VALUES (?, ?, 'stop', 'sign', 0)");
  const state = db.prepare(
    "INSERT INTO photo_understanding (photo_id, state, model_id, variant, version, made_at) VALUES (?, 'ok', 'vlm', 'int8', 'u', 0)",
  );
  const place = db.prepare('INSERT INTO photo_places (photo_id, place_id, country_code, region_code, made_at) VALUES (?, ?, ?, ?, 0)');

  const planted: Planted = { known: [], filtered: [] };
  // Which photo ids carry planted words: the known items first, then each filtered word's target and distractors.
  const knownAt = new Map<number, { noun: string; name: string }>();
  const filteredAt = new Map<number, { word: string; target: boolean }>();
  const step = Math.max(1, Math.floor(n / (KNOWN_NOUNS.length * KNOWN_NAMES.length + 1)));
  KNOWN_NOUNS.forEach((noun, i) =>
    KNOWN_NAMES.forEach((name, j) => {
      const id = 1 + (i * KNOWN_NAMES.length + j) * step;
      if (id <= n) knownAt.set(id, { noun, name });
    }),
  );
  FILTERED_WORDS.forEach((word, i) => {
    const count = Math.min(DISTRACTORS_PER_FILTERED, Math.floor(n / 40));
    for (let k = 0; k <= count; k++) {
      const id = 2 + ((i * 7919 + k * 104_729) % (n - 1));
      if (!knownAt.has(id) && !filteredAt.has(id)) filteredAt.set(id, { word, target: k === 0 });
    }
  });

  const write = db.transaction((from: number, to: number) => {
    for (let id = from; id < to; id++) {
      const subject = pick(SUBJECTS, r);
      const scene = pick(SCENES, r);
      const time = pick(TIMES, r);
      const adjective = pick(ADJECTIVES, r);
      const f = filteredAt.get(id);
      const year = f
        ? f.target
          ? FILTERED_YEAR
          : 2005 + ((id % 20) + (id % 20 >= FILTERED_YEAR - 2005 ? 1 : 0))
        : 2005 + Math.floor(r() * 21);
      const taken = `${year}-${pad(1 + Math.floor(r() * 12), 2)}-${pad(1 + Math.floor(r() * 28), 2)}T${pad(Math.floor(r() * 24), 2)}:${pad(Math.floor(r() * 60), 2)}:00`;
      const [make, model] = pick(CAMERAS, r);
      photo.run(id, `bench-${seed}-${id}`, taken, taken, make, model, `t${id}`);
      // Camera numbers roll over; a card's worth of them is one folder (a name repeats only across folders).
      file.run(`${year}/${taken.slice(5, 7)} ${scene} ${1 + Math.floor(id / 100_000)}/IMG_${pad(id % 100_000, 5)}.JPG`, id);
      const k = knownAt.get(id);
      let words = `A ${adjective} ${subject} ${pick(VERBS, r)} the ${scene} ${time}`;
      if (k) words = `A ${k.noun} named ${k.name} ${pick(VERBS, r)} the ${scene} ${time}`;
      if (f) words = `A ${adjective} ${f.word} ${subject} ${pick(VERBS, r)} the ${scene} ${time}`;
      caption.run(id, `${words}.`);
      const tags = [...new Set([...(TAGS[subject] ?? []), ...(TAGS[scene] ?? []), ...(TAGS[time] ?? [])])].filter((t) => labelId.has(t));
      for (const t of tags) tag.run(id, labelId.get(t));
      const sign = r() < 0.1 ? pick(SIGNS, r) : null;
      if (sign) text.run(id, sign);
      state.run(id);
      if (r() < 0.6) {
        const [placeId, , , regionCode, , code] = pick(PLACES, r);
        place.run(id, placeId, code, regionCode);
      }
      const parts: [string, number][] = [
        [k ? k.noun : subject, 1],
        [scene, 1],
        [time, 0.4],
        [adjective, 0.2],
      ];
      if (f) parts.push([f.word, 0.8]);
      const vector = vectorOf(vocab, parts, 0.6, r);
      const description = describePhoto({ caption: `${words}.`, tags: [...tags].sort(), text: sign });
      embeddings.write({ photoId: id, modelId, text: description, textHash: descriptionHash(description), vector }, 0);
      if (k) planted.known.push({ query: `${k.noun} ${k.name}`, photoId: id });
      if (f?.target) planted.filtered.push({ query: `${f.word} ${subject} ${FILTERED_YEAR}`, photoId: id });
    }
  });
  const CHUNK = 5000;
  for (let from = 1; from <= n; from += CHUNK) {
    write(from, Math.min(n + 1, from + CHUNK));
    onProgress?.(Math.min(n, from + CHUNK - 1));
  }
  return planted;
}

/** The fixed query set: [query, kind]; 'filtered' queries carry filters the parser understands, 'words' none. */
export const QUERIES: readonly (readonly [string, 'words' | 'filtered'])[] = [
  ['dog', 'words'],
  ['dog on the beach', 'words'],
  ['puppy by the seaside', 'words'],
  ['sleepy cat in the kitchen', 'words'],
  ['tram street', 'words'],
  ['lighthouse at dawn', 'words'],
  ['red car parked by the harbour', 'words'],
  ['family picnic in the park', 'words'],
  ['skier on the mountain in the fog', 'words'],
  ['bea', 'words'],
  ['cake', 'words'],
  ['guitar', 'words'],
  ['old castle at night', 'words'],
  ['supermercado', 'words'],
  ['IMG_01234', 'words'],
  ['surfer waves', 'words'],
  ['quiet lake in autumn', 'words'],
  ['a crowded market square', 'words'],
  ['dog on the beach 2019', 'filtered'],
  ['cat in summer 2019', 'filtered'],
  ['flowers in the garden in May 2015', 'filtered'],
  ['train station shot on iPhone', 'filtered'],
  ['boat in Lisbon', 'filtered'],
  ['bridge in Japan', 'filtered'],
  ['photos from 2010 to 2012 of horses', 'filtered'],
  ['snow Christmas 2020', 'filtered'],
  ['coffee with text', 'filtered'],
  // A place name alone is a place filter (the gazetteer resolves it): the photos there, newest first.
  ['lisboa', 'filtered'],
  ['München', 'filtered'],
  ['tree in the folder 2018', 'filtered'],
];
