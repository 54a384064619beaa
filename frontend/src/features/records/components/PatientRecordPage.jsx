import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ErrorMessage, Field, Loading, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useAddRecordEntry } from "../api/add-record-entry.js";
import { useDoctorMe } from "../../../lib/queries/get-doctor-me.js";
import { useRecord } from "../api/get-record.js";
import { useUpdateRecord } from "../api/update-record.js";
import { PatientHeader, PatientVisits } from "./PatientCard.jsx";
import { browserZone, LISTS, RecordEntries } from "./RecordView.jsx";

const toText = (list) => (list || []).join("\n");
const toList = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);

function ListsEditor({ patientId, record }) {
  const { t } = useI18n();
  const update = useUpdateRecord();
  const [draft, setDraft] = useState(() => Object.fromEntries(LISTS.map((n) => [n, toText(record[n])])));
  useEffect(() => setDraft(Object.fromEntries(LISTS.map((n) => [n, toText(record[n])]))), [record]);
  const submit = (e) => {
    e.preventDefault();
    update.mutate({ patientId, ...Object.fromEntries(LISTS.map((n) => [n, toList(draft[n])])) });
  };
  return (
    <form onSubmit={submit} className="panel">
      <div className="record-lists">
        {LISTS.map((name) => (
          <Field key={name} as="textarea" rows={4} label={t(`record.${name}`)} hint={t("record.oneLine")} name={name}
            value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} error={update.error} />
        ))}
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={update.isPending}>{t("record.update")}</button>
      </div>
      <ErrorMessage error={update.error} />
      <Notice>{update.isSuccess && t("record.updated")}</Notice>
    </form>
  );
}

function NewEntry({ patientId, appointmentId }) {
  const { t } = useI18n();
  const add = useAddRecordEntry();
  const [text, setText] = useState("");
  const submit = (e) => {
    e.preventDefault();
    add.mutate({ patientId, text: text.trim(), appointmentId }, { onSuccess: () => setText("") });
  };
  return (
    <form onSubmit={submit} className="panel">
      <Field as="textarea" rows={3} label={t("record.entryText")} name="text" required value={text}
        onChange={(e) => setText(e.target.value)} error={add.error} />
      <button type="submit" className="primary" disabled={add.isPending || !text.trim()}>{t("record.addEntry")}</button>
      <ErrorMessage error={add.error} />
      <Notice>{add.isSuccess && t("record.entryAdded")}</Notice>
    </form>
  );
}

export default function PatientRecordPage() {
  const { t } = useI18n();
  const { patientId } = useParams();
  const [search] = useSearchParams();
  const record = useRecord(patientId);
  const { user } = useSession();
  const doctor = useDoctorMe(user.role === "doctor");
  const zone = doctor.data?.clinic_timezone || browserZone();
  return (
    <div className="page">
      <p><Link to="/agenda">← {t("record.back")}</Link></p>
      <PatientHeader patientId={patientId} record={record.data} />
      <ErrorMessage error={record.error} />
      {record.isPending ? <Loading /> : record.data && (
        <>
          {user.role === "doctor" && <PatientVisits patientId={patientId} zone={zone} />}
          <ListsEditor patientId={patientId} record={record.data} />
          <h2>{t("record.addEntry")}</h2>
          <NewEntry patientId={patientId} appointmentId={search.get("appointment")} />
          <RecordEntries entries={record.data.entries} zone={zone} />
        </>
      )}
    </div>
  );
}
