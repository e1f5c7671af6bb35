/**
 * Labelled form controls with a hint and their errors: every control has a <label>; hint and
 * errors are tied to it (aria-describedby), an error sets aria-invalid and is written out in text
 * with a warning icon (never colour alone). `id` is the control's DOM id — the error summary links
 * to it.
 */
import type { ChangeEvent, ReactNode } from 'react';
import { Icon } from './Icon';

export interface FieldErrorsProps {
  id: string;
  errors: readonly string[];
}

export function FieldErrors({ id, errors }: FieldErrorsProps) {
  if (errors.length === 0) return null;
  return (
    <div id={id} className="field-errors">
      {errors.map((e, i) => (
        <p key={i} className="field-error">
          <Icon name="warning" /> {e}
        </p>
      ))}
    </div>
  );
}

interface Common {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  required?: boolean;
  /** Shown after the label: "(required)" / "(optional)". */
  requiredText?: string;
  onBlur?: () => void;
  testId?: string;
  className?: string;
}

function describedBy(id: string, hint: ReactNode, errors: readonly string[]): string | undefined {
  const ids = [hint ? `${id}-hint` : null, errors.length > 0 ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function Label({ id, label, requiredText }: { id: string; label: ReactNode; requiredText?: string | undefined }) {
  return (
    <label htmlFor={id}>
      {label}
      {requiredText && <span className="muted small"> ({requiredText})</span>}
    </label>
  );
}

export function TextField({
  id,
  label,
  hint,
  errors = [],
  required,
  requiredText,
  onBlur,
  testId,
  className,
  value,
  onChange,
  type = 'text',
  inputMode,
  autoComplete,
  placeholder,
  min,
  max,
  step,
  list,
}: Common & {
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'number' | 'date' | 'email' | 'tel' | 'datetime-local';
  inputMode?: 'text' | 'numeric' | 'decimal' | 'email' | 'tel';
  autoComplete?: string;
  placeholder?: string;
  min?: number | string;
  max?: number | string;
  step?: number | string;
  list?: string;
}) {
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <Label id={id} label={label} requiredText={requiredText} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <input
        id={id}
        type={type}
        value={value}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
        onBlur={onBlur}
        required={required}
        aria-required={required || undefined}
        aria-invalid={errors.length > 0 || undefined}
        aria-describedby={describedBy(id, hint, errors)}
        data-testid={testId}
        inputMode={inputMode}
        autoComplete={autoComplete ?? 'off'}
        placeholder={placeholder}
        min={min}
        max={max}
        step={step}
        list={list}
      />
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

export function TextArea({ id, label, hint, errors = [], required, requiredText, onBlur, testId, className, value, onChange, rows = 4 }: Common & { value: string; onChange: (value: string) => void; rows?: number }) {
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <Label id={id} label={label} requiredText={requiredText} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <textarea
        id={id}
        value={value}
        rows={rows}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        required={required}
        aria-required={required || undefined}
        aria-invalid={errors.length > 0 || undefined}
        aria-describedby={describedBy(id, hint, errors)}
        data-testid={testId}
      />
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

export function SelectField({
  id,
  label,
  hint,
  errors = [],
  required,
  requiredText,
  onBlur,
  testId,
  className,
  value,
  onChange,
  children,
}: Common & { value: string; onChange: (value: string) => void; children: ReactNode }) {
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <Label id={id} label={label} requiredText={requiredText} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        required={required}
        aria-required={required || undefined}
        aria-invalid={errors.length > 0 || undefined}
        aria-describedby={describedBy(id, hint, errors)}
        data-testid={testId}
      >
        {children}
      </select>
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

/** A checkbox with its label after it. */
export function CheckboxField({ id, label, hint, checked, onChange, testId, errors = [] }: { id: string; label: ReactNode; hint?: ReactNode; checked: boolean; onChange: (checked: boolean) => void; testId?: string; errors?: readonly string[] }) {
  return (
    <div className="field checkbox">
      <div className="checkbox-row">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          data-testid={testId}
          aria-invalid={errors.length > 0 || undefined}
          aria-describedby={describedBy(id, hint, errors)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}
