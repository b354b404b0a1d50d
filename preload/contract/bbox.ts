/**
 * @file A map area as an argument of the one API ([Note: Map areas] in ./map.ts): its schema and type, in a
 * file of their own so that any domain's schemas (the grid's requests, a selection's `all`) can take one
 * without importing the map domain (which imports the collections domain's view schema).
 */
import { z } from 'zod';

const lon = z.number().min(-180).max(180);
const lat = z.number().min(-90).max(90);

/** An area on the map ([Note: Map areas] in ./map.ts). */
export const bboxSchema = z
  .object({ west: lon, south: lat, east: lon, north: lat })
  .strict()
  .refine((b) => b.south <= b.north, { message: 'south must not be north of north' });

export type Bbox = z.output<typeof bboxSchema>;
