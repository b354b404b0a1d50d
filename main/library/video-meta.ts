/**
 * @file Metadata of MP4/MOV/3GP/M4V videos from the ISO base media container, without a video decoder:
 * creation time (mvhd), the picture size and rotation of the first video track (tkhd), and the GPS
 * position phones write in udta/©xyz.
 *
 * Runs in main: reads box headers, skips the media data, and reads only the `moov` box (capped).
 *
 * mvhd's creation time is UTC by the spec; it becomes local wall-clock time in this machine's zone
 * (phones that also write a local time with its offset keep it in a QuickTime `meta` box, not read here).
 */
import { open } from 'node:fs/promises';
import { localWallClock } from './time';

export interface VideoMeta {
  takenAt: string | null;
  width: number | null;
  height: number | null;
  gps: { lat: number; lon: number; alt: number | null } | null;
}

const MAX_MOOV = 64 << 20;
const EPOCH_1904 = 2_082_844_800; // seconds from 1904-01-01 to 1970-01-01

/** Reads what a video container says about itself; null when it is not an ISO BMFF file. */
export async function readVideoMeta(absPath: string): Promise<VideoMeta | null> {
  const fh = await open(absPath, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(16);
    let pos = 0;
    for (let boxes = 0; pos + 8 <= size && boxes < 1000; boxes++) {
      const { bytesRead } = await fh.read(head, 0, 16, pos);
      if (bytesRead < 8) break;
      let len = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      let headerLen = 8;
      if (len === 1) {
        len = Number(head.readBigUInt64BE(8));
        headerLen = 16;
      } else if (len === 0) len = size - pos;
      if (len < headerLen) return null;
      if (boxes === 0 && type !== 'ftyp' && type !== 'moov' && type !== 'wide' && type !== 'free' && type !== 'mdat') return null;
      if (type === 'moov') {
        const bodyLen = Math.min(len - headerLen, MAX_MOOV);
        const body = Buffer.alloc(bodyLen);
        await fh.read(body, 0, bodyLen, pos + headerLen);
        return parseMoov(body);
      }
      pos += len;
    }
    return null;
  } finally {
    await fh.close();
  }
}

function* children(buf: Buffer, start = 0, end = buf.length): Generator<{ type: string; start: number; end: number }> {
  let p = start;
  while (p + 8 <= end) {
    let len = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    let header = 8;
    if (len === 1 && p + 16 <= end) {
      len = Number(buf.readBigUInt64BE(p + 8));
      header = 16;
    } else if (len === 0) len = end - p;
    if (len < header || p + len > end) return;
    yield { type, start: p + header, end: p + len };
    p += len;
  }
}

function parseMoov(moov: Buffer): VideoMeta {
  const out: VideoMeta = { takenAt: null, width: null, height: null, gps: null };
  for (const box of children(moov)) {
    if (box.type === 'mvhd' && box.end - box.start >= 20) {
      const v = moov[box.start]!;
      const created = v === 1 ? Number(moov.readBigUInt64BE(box.start + 4)) : moov.readUInt32BE(box.start + 4);
      // 0 means unknown; some cameras write times before 2000 when their clock was never set.
      if (created > EPOCH_1904 + 946_684_800) out.takenAt = localWallClock((created - EPOCH_1904) * 1000).slice(0, 19);
    } else if (box.type === 'trak' && out.width === null) {
      for (const t of children(moov, box.start, box.end)) {
        if (t.type !== 'tkhd') continue;
        const v = moov[t.start]!;
        // version+flags, times/track id/duration, then reserved(8) layer alternate_group volume reserved(8)
        const matrixAt = t.start + 4 + (v === 1 ? 32 : 20) + 16;
        const sizeAt = matrixAt + 36;
        if (sizeAt + 8 > t.end) continue;
        const w = moov.readUInt32BE(sizeAt) / 65536;
        const h = moov.readUInt32BE(sizeAt + 4) / 65536;
        if (w < 1 || h < 1) continue; // an audio track
        const a = moov.readInt32BE(matrixAt) / 65536;
        const b = moov.readInt32BE(matrixAt + 4) / 65536;
        const quarterTurn = Math.abs(a) < 0.5 && Math.abs(b) > 0.5;
        out.width = Math.round(quarterTurn ? h : w);
        out.height = Math.round(quarterTurn ? w : h);
      }
    } else if (box.type === 'udta') {
      for (const u of children(moov, box.start, box.end)) {
        if (u.type !== '\xa9xyz' || u.end - u.start < 5) continue;
        const len = moov.readUInt16BE(u.start);
        const text = moov.toString('latin1', u.start + 4, Math.min(u.end, u.start + 4 + len));
        const m = /^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/.exec(text);
        if (m) {
          const lat = Number(m[1]);
          const lon = Number(m[2]);
          if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) out.gps = { lat, lon, alt: m[3] ? Number(m[3]) : null };
        }
      }
    }
  }
  return out;
}
