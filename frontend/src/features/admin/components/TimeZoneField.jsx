/** A searchable time-zone field: type part of a name ("madrid", "canary") and pick; each suggestion shows
 * its current UTC offset, and so does the field for the zone chosen. */
import { useId, useMemo } from "react";
import { Field } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { browserZone } from "../../../lib/tz.js";
import { utcOffset } from "../../../lib/forms.js";

export const ZONES = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [browserZone()];
const KNOWN = new Set([...ZONES, "UTC"]);
export const isZone = (name) => KNOWN.has(name);

export function TimeZoneField({ value, onChange, error }) {
  const { t } = useI18n();
  const listId = useId();
  const options = useMemo(() => ZONES.map((z) => ({ zone: z, label: `${z.replaceAll("_", " ")} (${utcOffset(z)})` })), []);
  const hint = isZone(value) ? t("admin.zoneNow", { offset: utcOffset(value) }) : t("admin.zoneHint");
  return (
    <>
      <Field label={t("admin.timezone")} name="timezone" value={value} list={listId} autoComplete="off" spellCheck={false}
        hint={hint} onChange={(e) => onChange(e.target.value)} error={error} />
      <datalist id={listId}>
        {options.map((o) => <option key={o.zone} value={o.zone} label={o.label} />)}
      </datalist>
    </>
  );
}
