/**
 * Small inline SVG icons (no icon font, no external file: CSP-safe and always rendered, unlike
 * emoji that a system may lack). Decorative: hidden from assistive technology — the text next to
 * an icon always says the same thing.
 */
export type IconName = 'warning' | 'clock' | 'check' | 'info' | 'bolt' | 'refresh';

const PATHS: Record<IconName, string> = {
  warning: 'M12 2 1 21h22L12 2zM11 9h2v6h-2zm0 8h2v2h-2z',
  clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.3V7h-2z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
  info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 5h2v2h-2zm0 4h2v6h-2z',
  bolt: 'M13 2 3 14h7l-1 8 10-12h-7z',
  refresh: 'M17.7 6.3A8 8 0 1 0 20 12h-2a6 6 0 1 1-1.8-4.2L13 11h7V4z',
};

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg className={`icon icon-${name}${className ? ` ${className}` : ''}`} viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="currentColor" fillRule="evenodd" />
    </svg>
  );
}
