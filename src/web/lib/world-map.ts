/**
 * The treaty explorer's world map as data: the world-atlas topology (Natural Earth, 1:50m)
 * projected with d3-geo's Equal Earth projection (equal-area: a country's size on the map is its
 * size on the globe, which suits a map of "how many") into SVG path strings, one shape per
 * country, keyed by ISO alpha-2 (lib/iso-numeric.ts).
 *
 * Small states vanish at world scale (Malta, Monaco, San Marino, Liechtenstein, Andorra, Singapore
 * are smaller than a pixel), so every shape below `markerArea` square pixels also gets a marker: a
 * dot at its centroid, big enough to see, hover and click.
 *
 * Two views: the world, and Europe (where most Council of Europe and EU parties are).
 *
 * Pure (no DOM; d3-geo and topojson-client are plain functions), tested in world-map.test.ts.
 * Heavy: import it only from lazily loaded pages.
 */
import { geoAzimuthalEqualArea, geoEqualEarth, geoPath, type GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPoint } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { alpha2OfFeature } from './iso-numeric';

export interface MapShape {
  /** Unique key (the feature's index; some features share an id, e.g. Australia's islands). */
  key: string;
  /** ISO alpha-2 code, or null for a feature outside the ISO list (Kosovo, N. Cyprus, …). */
  party: string | null;
  /** Natural Earth's English name (for features without a party). */
  name: string;
  /** SVG path data. */
  d: string;
  /** Area on the map, in square pixels. */
  area: number;
  /** A dot for shapes too small to see, at the centroid; null for the others. */
  marker: { x: number; y: number } | null;
}

export interface WorldMap {
  view: MapView;
  width: number;
  height: number;
  /** Outline of the globe (world view) for the sea; null when the view is a rectangle (Europe). */
  sphere: string | null;
  shapes: MapShape[];
}

/** The whole world (Equal Earth), or Europe (Lambert azimuthal equal-area centred on 10° E 52° N, as EPSG:3035). */
export type MapView = 'world' | 'europe';

export interface WorldMapOptions {
  view?: MapView;
  /** Width of the drawing in SVG units (the SVG scales to its container). */
  width?: number;
  /** Shapes smaller than this many square units get a marker. */
  markerArea?: number;
  /** Parties left out of the drawing (Antarctica by default: it takes a fifth of the height for no party). */
  skip?: readonly string[];
}

export type CountriesTopology = Topology<{ countries: GeometryCollection<{ name: string }> }>;

/** Corners of the Europe view (longitude, latitude): Iceland and the Azores to the Urals, Crete to the North Cape. */
const EUROPE_FRAME: MultiPoint = { type: 'MultiPoint', coordinates: [[-24, 36], [-10, 35], [10, 34], [34, 34], [45, 40], [45, 60], [30, 71], [10, 71], [-24, 66]] };

/** Projects the `countries` object of a world-atlas topology into SVG shapes. */
export function buildWorldMap(topology: CountriesTopology, options: WorldMapOptions = {}): WorldMap {
  const view = options.view ?? 'world';
  const width = options.width ?? 960;
  const markerArea = options.markerArea ?? (view === 'world' ? 8 : 20);
  const skip = new Set(options.skip ?? ['AQ']);
  const collection = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;
  const features = collection.features
    .map((f, index) => ({ f, index, party: alpha2OfFeature(f.id as string | number | undefined) }))
    .filter((x) => x.party === null || !skip.has(x.party));
  const drawn: FeatureCollection<Geometry, { name: string }> = { type: 'FeatureCollection', features: features.map((x) => x.f) };
  const pad = 4;
  let projection: GeoProjection;
  let height: number;
  if (view === 'world') {
    projection = geoEqualEarth().fitWidth(width - 2 * pad, drawn);
    const [tx, ty] = projection.translate();
    projection.translate([tx + pad, ty + pad]);
    const [, [, bottom]] = geoPath(projection).bounds(drawn);
    height = Math.ceil(bottom + pad);
  } else {
    projection = geoAzimuthalEqualArea().rotate([-10, -52]).fitWidth(width, EUROPE_FRAME);
    const [[, top], [, bottom]] = geoPath(projection).bounds(EUROPE_FRAME);
    const [tx, ty] = projection.translate();
    projection.translate([tx, ty - top]);
    height = Math.ceil(bottom - top);
    projection.clipExtent([
      [0, 0],
      [width, height],
    ]);
  }
  const path = geoPath(projection).digits(1);
  const projected = features
    .map(({ f, index, party }) => ({ f, index, party, d: path(f as Feature<Geometry>), area: path.area(f as Feature<Geometry>) }))
    .filter((x) => x.d && (view === 'world' || x.area > 0));
  // A party drawn big enough somewhere (Australia) gets no marker for its specks (Ashmore and Cartier).
  const largest = new Map<string, number>();
  for (const x of projected) if (x.party) largest.set(x.party, Math.max(largest.get(x.party) ?? 0, x.area));
  const shapes: MapShape[] = [];
  for (const { f, index, party, d, area } of projected) {
    const [cx, cy] = path.centroid(f as Feature<Geometry>);
    const inside = Number.isFinite(cx) && Number.isFinite(cy) && cx > 0 && cx < width && cy > 0 && cy < height;
    const small = (party ? (largest.get(party) ?? area) : area) < markerArea;
    const marker = small && inside ? { x: Math.round(cx * 10) / 10, y: Math.round(cy * 10) / 10 } : null;
    shapes.push({ key: String(index), party, name: f.properties?.name ?? '', d: d as string, area, marker });
  }
  // Markers last, so that a dot is never hidden under a neighbour's shape.
  shapes.sort((a, b) => Number(a.marker !== null) - Number(b.marker !== null));
  const sphere = view === 'world' ? path({ type: 'Sphere' }) : null;
  return { view, width, height, sphere, shapes };
}
