/**
 * @file A generated photo folder with GPS for the Map's end-to-end test: small JPEGs of distinct colours,
 * each with the EXIF GPS fix (and capture date) it is given, or none. Runs in the Playwright test process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** EXIF GPS as degrees, minutes and hundredths of seconds. */
const dms = (v: number) => {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  return `${d}/1 ${m}/1 ${Math.round(((a - d) * 60 - m) * 6000)}/100`;
};

/** Writes one JPEG per entry of `fixes` (`[lat, lon]` or null) under `<dir>/gps-NNN.jpg`; returns the folder and a remover. */
export async function gpsLibrary(fixes: readonly ([number, number] | null)[]): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-e2e-gps-'));
  for (const [i, gps] of fixes.entries()) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const IFD0 = { DateTime: `2024:05:${day} 12:00:00` };
    const exif = gps
      ? {
          IFD0,
          IFD3: {
            GPSLatitudeRef: gps[0] >= 0 ? 'N' : 'S',
            GPSLatitude: dms(gps[0]),
            GPSLongitudeRef: gps[1] >= 0 ? 'E' : 'W',
            GPSLongitude: dms(gps[1]),
          },
        }
      : { IFD0 };
    // (r, g, b) differs for every i below 256: photos are identified by content.
    const background = { r: (i * 37) % 256, g: (i * 91 + 40) % 256, b: i % 256 };
    await sharp({ create: { width: 48, height: 32, channels: 3, background } })
      .withExif(exif)
      .jpeg({ quality: 90 })
      .toFile(join(dir, `gps-${String(i).padStart(3, '0')}.jpg`));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
