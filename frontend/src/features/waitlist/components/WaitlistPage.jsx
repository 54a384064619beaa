import { format, parseISO } from "date-fns";
import { ErrorMessage, Loading, Notice } from "../../../components/ui.jsx";
import { DATE_LOCALES } from "../../../lib/tz.js";
import { useI18n } from "../../../lib/i18n.jsx";
import { useDoctors } from "../../../lib/queries/get-doctors.js";
import { useServices } from "../../../lib/queries/get-services.js";
import { useDeclineWaitlistEntry } from "../api/decline-waitlist-entry.js";
import { useDeleteWaitlistEntry } from "../api/delete-waitlist-entry.js";
import { useWaitlist } from "../api/get-waitlist.js";

export default function WaitlistPage() {
  const { t, locale } = useI18n();
  const day = (value) => (value ? format(parseISO(value), "PPP", { locale: DATE_LOCALES[locale] }) : "");
  const entries = useWaitlist();
  const services = useServices();
  const doctors = useDoctors({});
  const remove = useDeleteWaitlistEntry();
  const decline = useDeclineWaitlistEntry();
  const name = (list, id) => (list.data || []).find((x) => x.id === id)?.[list === doctors ? "full_name" : "name"] || "";
  return (
    <div className="page">
      <h1>{t("waitlist.title")}</h1>
      <Notice>{(remove.isSuccess && t("waitlist.removed")) || (decline.isSuccess && t("waitlist.declined"))}</Notice>
      <ErrorMessage error={entries.error || remove.error || decline.error} />
      <h2>{t("waitlist.mine")}</h2>
      {entries.isPending ? <Loading /> : entries.data?.length === 0 ? <p className="empty">{t("waitlist.empty")}</p> : (
        <ul className="appointments">
          {(entries.data || []).map((entry) => (
            <li key={entry.id} className="appointment">
              <div>
                <strong>{name(services, entry.service_id)}</strong>
                {entry.doctor_id && <span> · {name(doctors, entry.doctor_id)}</span>}
                <div>{t("waitlist.from")} {day(entry.from)} · {t("waitlist.to")} {day(entry.to)}</div>
                {entry.status === "offered" && <div>{t("waitlist.offered")}</div>}
              </div>
              {entry.status === "offered" && (
                <button type="button" onClick={() => decline.mutate(entry.id)} disabled={decline.isPending}>{t("waitlist.decline")}</button>
              )}
              <button type="button" onClick={() => remove.mutate(entry.id)} disabled={remove.isPending}>{t("waitlist.remove")}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
