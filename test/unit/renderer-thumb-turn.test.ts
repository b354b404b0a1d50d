/**
 * @file Thumbnails at the photo's display rotation (renderer/src/features/library/thumb-turn.ts): no style
 * for an upright photo, a plain turn for a half turn or a square box, and for a quarter turn in a box that
 * is not square an image laid out in the swapped shape around the box's centre, so that turned it covers
 * the box exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Rotation } from '../../preload/contract';
import { turnAngle, turnedStyle } from '../../renderer/src/features/library/thumb-turn';

/** Where an image with `style` inside `box` lands once turned: its bounding box (CSS px). */
function turnedBounds(rotation: Rotation, box: { width: number; height: number }) {
  const s = turnedStyle(rotation, box) ?? {};
  const left = typeof s.left === 'number' ? s.left : 0;
  const top = typeof s.top === 'number' ? s.top : 0;
  const width = typeof s.width === 'number' ? s.width : box.width;
  const height = typeof s.height === 'number' ? s.height : box.height;
  const [w, h] = rotation % 2 === 1 ? [height, width] : [width, height];
  const cx = left + width / 2;
  const cy = top + height / 2;
  return { left: cx - w / 2, top: cy - h / 2, width: w, height: h };
}

describe('turned thumbnails', () => {
  it('leaves an upright photo alone', () => {
    expect(turnedStyle(0, { width: 300, height: 200 })).toBeUndefined();
    expect(turnedStyle(undefined)).toBeUndefined();
    expect(turnAngle(0)).toBe('');
    expect(turnAngle(undefined)).toBe('');
  });

  it('turns by quarter turns clockwise', () => {
    expect([1, 2, 3].map((r) => turnAngle(r as Rotation))).toEqual(['90deg', '180deg', '270deg']);
    expect(turnedStyle(2, { width: 300, height: 200 })).toEqual({ rotate: '180deg' });
    // A square box (the square grid, album covers, map markers, Ask sources): the turn alone.
    expect(turnedStyle(1)).toEqual({ rotate: '90deg' });
    expect(turnedStyle(3, { width: 120, height: 120 })).toEqual({ rotate: '270deg' });
  });

  it('lays a quarter-turned image out in the swapped shape, so turned it covers a box that is not square', () => {
    // A landscape photo turned 90°: the justified grid gives it a portrait box.
    expect(turnedStyle(1, { width: 200, height: 300 })).toEqual({
      rotate: '90deg',
      position: 'absolute',
      left: -50,
      top: 50,
      width: 300,
      height: 200,
    });
    for (const rotation of [1, 2, 3] as const) {
      for (const box of [
        { width: 200, height: 300 },
        { width: 317, height: 181 },
      ]) {
        expect(turnedBounds(rotation, box)).toEqual({ left: 0, top: 0, ...box });
      }
    }
  });
});
