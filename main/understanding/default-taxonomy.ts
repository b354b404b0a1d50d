/**
 * @file The default tag taxonomy: 100 everyday photo labels in groups, and which of them mean that
 * the photo has text worth transcribing.
 *
 * Main's policy, plain data with no imports: the understanding step sends the labels of the
 * `tag_labels` table, which migration 0003 seeded from a copy of this list (the migration keeps its own
 * copy, so editing this file never changes a migration); `bench:understand` and the tests use it too.
 * Labels are lower-case short phrases as a person would tag a photo; each is an answer to the worker's
 * `DEFAULT_TAG_PROMPT` (native/pipelines/understand.ts).
 */

/** Groups of labels, in display order. */
export const DEFAULT_TAXONOMY: Readonly<Record<string, readonly string[]>> = {
  people: ['portrait', 'selfie', 'group photo', 'baby', 'child', 'family', 'couple', 'crowd'],
  animals: ['dog', 'cat', 'bird', 'horse', 'fish', 'insect', 'butterfly', 'monkey', 'wildlife', 'farm animals'],
  'food and drink': ['food', 'meal', 'dessert', 'cake', 'fruit', 'vegetables', 'coffee', 'wine', 'cocktail', 'restaurant'],
  'nature and places': [
    'beach',
    'mountain',
    'forest',
    'lake',
    'river',
    'waterfall',
    'desert',
    'snow',
    'flowers',
    'garden',
    'park',
    'sky',
    'landscape',
  ],
  'city and buildings': ['city', 'street', 'building', 'architecture', 'house', 'interior', 'church', 'bridge', 'skyline', 'monument'],
  events: ['wedding', 'birthday', 'party', 'concert', 'festival', 'graduation', 'christmas', 'holiday'],
  'activities and sports': ['sport', 'football', 'running', 'cycling', 'swimming', 'hiking', 'skiing', 'travel', 'camping'],
  'objects and vehicles': ['car', 'bicycle', 'boat', 'airplane', 'train', 'toy', 'book', 'phone', 'computer'],
  'documents and screens': ['document', 'receipt', 'screenshot', 'sign', 'whiteboard', 'menu', 'ticket', 'map', 'handwriting'],
  art: ['painting', 'drawing', 'sculpture', 'illustration', 'graffiti'],
  'time of day and weather': ['sunset', 'sunrise', 'night', 'rain', 'fog', 'clouds', 'blue sky', 'astronomy', 'space'],
};

/** Labels whose presence means the photo has text worth transcribing. */
export const DEFAULT_TEXT_LABELS: readonly string[] = [
  'document',
  'receipt',
  'screenshot',
  'sign',
  'whiteboard',
  'menu',
  'ticket',
  'map',
  'handwriting',
  'book',
];

/** Every label of {@link DEFAULT_TAXONOMY}, in group order. */
export const DEFAULT_LABELS: readonly string[] = Object.values(DEFAULT_TAXONOMY).flat();
