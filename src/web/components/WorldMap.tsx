/**
 * The treaty explorer's map: countries coloured by their status (lib/participation.ts), unverified
 * statuses hatched, small states as dots (lib/world-map.ts). Decorative for assistive technology:
 * the SVG is `role="img"` with a summary as its name, and the page's table is the accessible
 * equivalent. For pointer and keyboard users every party is focusable, has a title (hover), says
 * what it is in the line under the map (hover or focus), and opens the party's profile on click,
 * Enter or Space.
 *
 * Heavy (d3-geo, topojson-client and the 1:50m world-atlas, fetched as a separate file): only the
 * lazily loaded treaty explorer imports it.
 */
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import atlasUrl from 'world-atlas/countries-50m.json?url';
import { STATUS_STYLE, type NamedRow } from '../lib/participation';
import { buildWorldMap, type CountriesTopology, type MapShape, type MapView, type WorldMap as WorldMapData } from '../lib/world-map';
import { Loading } from './Loading';

let topology: Promise<CountriesTopology> | null = null;
const built = new Map<MapView, WorldMapData>();

/** The topology, fetched once per page load (the file is cached by the browser for a year). */
function loadTopology(): Promise<CountriesTopology> {
  topology ??= fetch(atlasUrl, { credentials: 'same-origin' }).then((response) => {
    if (!response.ok) throw new Error(`world map: HTTP ${response.status}`);
    return response.json() as Promise<CountriesTopology>;
  });
  topology.catch(() => {
    topology = null;
  });
  return topology;
}

function useWorldMap(view: MapView): { map: WorldMapData | null; failed: boolean } {
  const [map, setMap] = useState<WorldMapData | null>(() => built.get(view) ?? null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    const ready = built.get(view);
    if (ready) {
      setMap(ready);
      return;
    }
    setMap(null);
    loadTopology()
      .then((topo) => {
        const next = buildWorldMap(topo, { view });
        built.set(view, next);
        if (live) setMap(next);
      })
      .catch(() => {
        if (live) setFailed(true);
      });
    return () => {
      live = false;
    };
  }, [view]);
  return { map, failed };
}

export interface WorldMapProps {
  view: MapView;
  /** Parties by alpha-2, with their status and translated name. */
  rows: ReadonlyMap<string, NamedRow>;
  /** The SVG's accessible name: a summary of the counts. */
  summary: string;
  /** One line describing a party (title and the line under the map). */
  describe: (row: NamedRow) => string;
  onOpen: (party: string) => void;
}

export function WorldMap({ view, rows, summary, describe, onOpen }: WorldMapProps) {
  const { t } = useTranslation();
  const { map, failed } = useWorldMap(view);
  const [active, setActive] = useState<string | null>(null);

  // Focus order: parties by name; shapes before dots so that dots are painted on top.
  const shapes = useMemo(() => {
    if (!map) return [];
    const label = (s: MapShape) => (s.party ? (rows.get(s.party)?.label ?? s.name) : s.name);
    return [...map.shapes].sort((a, b) => Number(a.marker !== null) - Number(b.marker !== null) || label(a).localeCompare(label(b)));
  }, [map, rows]);

  if (failed) return <p className="muted">{t('treaty.map.failed')}</p>;
  if (!map) return <Loading label={t('treaty.map.loading')} />;

  const activeRow = active ? rows.get(active) : undefined;
  const activeShapes = active ? map.shapes.filter((s) => s.party === active) : [];
  const open = (party: string) => (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(party);
    }
  };

  return (
    <div className="world-map" data-testid="world-map" data-view={view}>
      <svg viewBox={`0 0 ${map.width} ${map.height}`} role="img" aria-label={summary} className="world-map-svg" data-testid="world-map-svg">
        <defs>
          {/* Two-tone hatch: visible on the darkest and the lightest fills alike. */}
          <pattern id="map-hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">
            <line x1="0.75" y1="0" x2="0.75" y2="5" stroke="#1b1f24" strokeWidth="1.1" strokeOpacity="0.6" />
            <line x1="2.25" y1="0" x2="2.25" y2="5" stroke="#ffffff" strokeWidth="1.1" strokeOpacity="0.85" />
          </pattern>
        </defs>
        {map.sphere ? <path d={map.sphere} className="map-sea" /> : <rect width={map.width} height={map.height} className="map-sea" />}
        {shapes.map((shape) => {
          const row = shape.party ? rows.get(shape.party) : undefined;
          if (!row) {
            return (
              <g key={shape.key} className="map-country map-no-data">
                <title>{t('treaty.map.noData', { name: shape.party ? shape.party : shape.name })}</title>
                <path d={shape.d} fill={STATUS_STYLE['no-data'].fill} />
                <path d={shape.d} fill="url(#map-hatch)" opacity={0.35} />
              </g>
            );
          }
          const fill = STATUS_STYLE[row.status].fill;
          return (
            <g
              key={shape.key}
              className="map-country"
              tabIndex={0}
              data-party={row.party}
              data-status={row.status}
              data-verified={row.verified}
              onClick={() => onOpen(row.party)}
              onKeyDown={open(row.party)}
              onMouseEnter={() => setActive(row.party)}
              onMouseLeave={() => setActive((a) => (a === row.party ? null : a))}
              onFocus={() => setActive(row.party)}
              onBlur={() => setActive((a) => (a === row.party ? null : a))}
            >
              <title>{describe(row)}</title>
              <path d={shape.d} fill={fill} />
              {!row.verified && <path d={shape.d} fill="url(#map-hatch)" />}
              {shape.marker && <circle cx={shape.marker.x} cy={shape.marker.y} r={view === 'world' ? 3 : 5} fill={fill} className="map-marker" />}
            </g>
          );
        })}
        {activeShapes.map((shape) => (
          <g key={`active-${shape.key}`} className="map-active" aria-hidden="true">
            <path d={shape.d} />
            {shape.marker && <circle cx={shape.marker.x} cy={shape.marker.y} r={view === 'world' ? 4.5 : 7} />}
          </g>
        ))}
      </svg>
      <p className="map-status small" data-testid="map-status">
        {activeRow ? (
          <>
            <strong>{describe(activeRow)}</strong> — {t('treaty.map.openHint')}
          </>
        ) : (
          <span className="muted">{t('treaty.map.hint')}</span>
        )}
      </p>
    </div>
  );
}
