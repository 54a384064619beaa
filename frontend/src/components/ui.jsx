/** Small accessible building blocks shared by every screen. */
import { useEffect, useId, useRef } from "react";
import { errorText, fieldErrorText, useI18n } from "../lib/i18n.jsx";

export function Loading({ label }) {
  const { t } = useI18n();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label || t("app.loading")}
    </p>
  );
}

/** The message of an API error (translated by code) and, if the fields aren't on screen, theirs. */
export function ErrorMessage({ error, showFields = false }) {
  const { t } = useI18n();
  if (!error) return null;
  const fields = showFields ? Object.entries(error.fields || {}) : [];
  return (
    <div className="alert alert-error" role="alert">
      <p>{errorText(t, error)}</p>
      {error.code === "too_late_to_change" && <p>{t("appts.cutoff")}</p>}
      {fields.length > 0 && (
        <ul>
          {fields.map(([name]) => <li key={name}>{fieldLabel(t, name)}: {fieldErrorText(t, error, name)}</li>)}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }) {
  if (!children) return null;
  return <div className="alert alert-success" role="status">{children}</div>;
}

/** A field's name as people read it, for errors about fields that are not on screen. */
function fieldLabel(t, name) {
  const key = `fieldNames.${name}`;
  const text = t(key);
  return typeof text === "string" && text !== key ? text : t("fieldNames.other");
}

export function Field({ label, error, name, hint, as = "input", children, ...props }) {
  const { t } = useI18n();
  const id = useId();
  const fieldError = fieldErrorText(t, error, name);
  const describedBy = [hint ? `${id}-hint` : null, fieldError ? `${id}-error` : null].filter(Boolean).join(" ");
  const Control = as;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && <small id={`${id}-hint`} className="hint">{hint}</small>}
      <Control id={id} name={name} aria-invalid={fieldError ? "true" : undefined}
        aria-describedby={describedBy || undefined} {...props}>
        {children}
      </Control>
      {fieldError && <small id={`${id}-error`} className="field-error">{fieldError}</small>}
    </div>
  );
}

/** A modal dialog: focus moves in on open, Escape closes, focus returns to the opener. */
export function Modal({ title, onClose, children }) {
  const { t } = useI18n();
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement;
    const first = ref.current?.querySelector("input, textarea, select, button:not(.modal-close)");
    (first || ref.current)?.focus();
    const onKey = (event) => {
      if (event.key === "Escape") onClose();
      if (event.key === "Tab" && ref.current) {
        const items = [...ref.current.querySelectorAll("a[href], button:not([disabled]), input, select, textarea, [tabindex='0']")];
        if (items.length === 0) return;
        const [head, tail] = [items[0], items[items.length - 1]];
        if (event.shiftKey && document.activeElement === head) { tail.focus(); event.preventDefault(); }
        else if (!event.shiftKey && document.activeElement === tail) { head.focus(); event.preventDefault(); }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (opener && typeof opener.focus === "function") opener.focus();
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="modal-close" onClick={onClose} aria-label={t("app.close")}>×</button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function StatusBadge({ status }) {
  const { t } = useI18n();
  return <span className={`badge badge-${status}`}>{t(`status.${status}`)}</span>;
}
