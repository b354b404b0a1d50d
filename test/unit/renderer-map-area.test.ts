/**
 * @file The map's areas in the renderer (renderer/src/features/map/map-area.ts): a map view's bounds,
 * whose longitudes run past ±180 on Leaflet's world copies, become a box of [Note: Map areas] (across the
 * antimeridian: west > east; 360° or more: every longitude), and `inArea` agrees with the host's SQL on
 * which points are inside.
 */
import { describe, expect, it } from 'vitest';
import { areaFromBounds, areaKey, inArea } from '../../renderer/src/features/map/map-area';

describe('areaFromBounds', () => {
  it('keeps an ordinary view as it is', () => {
    expect(areaFromBounds(-10, 36, -6, 42.5)).toEqual({ west: -10, south: 36, east: -6, north: 42.5 });
  });

  it('wraps a view on a world copy and crosses the antimeridian with west > east', () => {
    // Dragged on the copy east of the world: 170°..190° is 170° E to 170° W.
    expect(areaFromBounds(170, -25, 190, -10)).toEqual({ west: 170, south: -25, east: -170, north: -10 });
    expect(areaFromBounds(-190, -25, -170, -10)).toEqual({ west: 170, south: -25, east: -170, north: -10 });
    expect(areaFromBounds(370, 0, 380, 5)).toEqual({ west: 10, south: 0, east: 20, north: 5 });
  });

  it('takes every longitude for a view 360° wide or more, and clamps latitudes', () => {
    expect(areaFromBounds(-300, -100, 200, 100)).toEqual({ west: -180, south: -90, east: 180, north: 90 });
  });

  it('keeps an edge on the antimeridian on its side', () => {
    expect(areaFromBounds(170, 0, 180, 10)).toEqual({ west: 170, south: 0, east: 180, north: 10 });
    expect(areaFromBounds(180, 0, 190, 10)).toEqual({ west: -180, south: 0, east: -170, north: 10 });
  });

  it('orders corners given the other way round', () => {
    expect(areaFromBounds(-6, 42.5, -10, 36)).toEqual({ west: -10, south: 36, east: -6, north: 42.5 });
  });
});

describe('inArea', () => {
  const pacific = { west: 170, south: -25, east: -170, north: -10 };
  it('takes both sides of the antimeridian and nothing between', () => {
    expect(inArea(pacific, -17.7, 178)).toBe(true);
    expect(inArea(pacific, -13.8, -172.1)).toBe(true);
    expect(inArea(pacific, -20, 0)).toBe(false);
    expect(inArea(pacific, -30, 178)).toBe(false);
  });
  it('gives each area a stable key', () => {
    expect(areaKey(pacific)).toBe('170,-25,-170,-10');
    expect(areaKey(null)).toBe('');
  });
});
