import { useState } from "react";
import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { useServices } from "../../../lib/queries/get-services.js";
import { ClinicsAdmin } from "./ClinicsAdmin.jsx";
import { DoctorsAdmin } from "./DoctorsAdmin.jsx";
import { ServicesAdmin } from "./ServicesAdmin.jsx";
import { UsersAdmin } from "./UsersAdmin.jsx";

const TABS = ["clinics", "services", "doctors", "users"];

export default function AdminPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState("clinics");
  const clinics = useClinics();
  const services = useServices();
  const onKey = (e) => {
    const i = TABS.indexOf(tab);
    const next = e.key === "ArrowRight" ? TABS[(i + 1) % TABS.length] : e.key === "ArrowLeft" ? TABS[(i + TABS.length - 1) % TABS.length] : null;
    if (next) { setTab(next); document.getElementById(`tab-${next}`)?.focus(); }
  };
  return (
    <div className="page">
      <h1>{t("admin.title")}</h1>
      <div role="tablist" className="tabs" aria-label={t("admin.title")} onKeyDown={onKey}>
        {TABS.map((name) => (
          <button key={name} id={`tab-${name}`} type="button" role="tab" aria-selected={tab === name} aria-controls="admin-panel"
            tabIndex={tab === name ? 0 : -1} onClick={() => setTab(name)}>{t(`admin.${name}`)}</button>
        ))}
      </div>
      <div id="admin-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <ErrorMessage error={clinics.error || services.error} />
        {clinics.isPending || services.isPending ? <Loading /> : (
          <>
            {tab === "clinics" && <ClinicsAdmin clinics={clinics.data} />}
            {tab === "services" && <ServicesAdmin services={services.data} />}
            {tab === "doctors" && <DoctorsAdmin clinics={clinics.data} services={services.data} />}
            {tab === "users" && <UsersAdmin />}
          </>
        )}
      </div>
    </div>
  );
}
