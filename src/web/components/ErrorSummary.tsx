/**
 * The list of what stops a form, at its top: each item a link to the field it is about (the
 * field takes the focus, after `onSelect` has shown its step or section). The summary takes the
 * focus whenever `attempt` changes, so that keyboard and screen-reader users hear it first.
 */
import { useEffect, useRef } from 'react';
import { Icon } from './Icon';

export interface SummaryItem {
  /** DOM id of the control to focus. */
  target: string;
  text: string;
  /** The form field the item is about (for `onSelect`). */
  field?: string;
}

export interface ErrorSummaryProps {
  title: string;
  items: readonly SummaryItem[];
  /** Changes on every submission attempt. */
  attempt: number;
  /** Called before the target is focused (e.g. to switch to the step that holds it). */
  onSelect?: (item: SummaryItem) => void;
  testId?: string;
}

/** Focuses an element by id once it is in the document (after a re-render). */
export function focusWhenPresent(id: string, tries = 10): void {
  const element = document.getElementById(id);
  if (element) {
    element.focus();
    element.scrollIntoView({ block: 'center' });
    return;
  }
  if (tries > 0) window.setTimeout(() => focusWhenPresent(id, tries - 1), 30);
}

export function ErrorSummary({ title, items, attempt, onSelect, testId }: ErrorSummaryProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (attempt > 0 && items.length > 0) ref.current?.focus();
    // Only a new attempt moves the focus, not every edit that changes the list.
  }, [attempt]);
  if (items.length === 0) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby={`${testId ?? 'error-summary'}-title`} tabIndex={-1} ref={ref} data-testid={testId}>
      <h2 id={`${testId ?? 'error-summary'}-title`}>
        <Icon name="warning" /> {title}
      </h2>
      <ul>
        {items.map((item, i) => (
          <li key={`${item.target}-${i}`}>
            <a
              href={`#${item.target}`}
              onClick={(event) => {
                event.preventDefault();
                onSelect?.(item);
                focusWhenPresent(item.target);
              }}
            >
              {item.text}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
