/** The patient's reschedule and cancel dialogs (from the list and from one appointment's page). */
import { useState } from "react";
import { changeDeadline } from "../../../components/picker/slot-days.js";
import { TimePicker } from "../../../components/picker/TimePicker.jsx";
import { ErrorMessage, Modal } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useCancelAppointment, useRescheduleAppointment } from "../../../lib/queries/appointment-mutations.js";
import { longDateTime } from "../../../lib/tz.js";

export function RescheduleDialog({ appointment, onDone, onClose }) {
  const { t, locale } = useI18n();
  const reschedule = useRescheduleAppointment();
  const [slot, setSlot] = useState(null);
  const zone = appointment.timezone;
  return (
    <Modal title={t("appts.rescheduleTitle")} onClose={onClose}>
      <p>{longDateTime(appointment.starts_at, zone, locale)} · {appointment.service_name}</p>
      <ErrorMessage error={reschedule.error} />
      {slot ? (
        <div>
          <p><strong>{longDateTime(slot.starts_at, zone, locale)}</strong></p>
          <div className="actions">
            <button type="button" onClick={() => setSlot(null)}>{t("app.cancel")}</button>
            <button type="button" className="primary" disabled={reschedule.isPending}
              onClick={() => reschedule.mutate({ id: appointment.id, starts_at: slot.starts_at },
                { onSuccess: (a) => onDone({ key: "appts.rescheduled", at: a.starts_at, zone }) })}>
              {t("book.confirm")}
            </button>
          </div>
        </div>
      ) : (
        <>
          <p>{t("appts.pickNew")}</p>
          <TimePicker doctorId={appointment.doctor_id} serviceId={appointment.service_id} zone={zone}
            onPick={(picked) => { reschedule.reset(); setSlot(picked); }} />
        </>
      )}
    </Modal>
  );
}

export function CancelDialog({ appointment, clinic, onDone, onClose }) {
  const { t, locale } = useI18n();
  const cancel = useCancelAppointment();
  const cutoff = clinic?.change_cutoff_hours ?? 24;
  const late = changeDeadline(appointment.starts_at, cutoff) <= new Date();
  return (
    <Modal title={t("appts.cancelTitle")} onClose={onClose}>
      <p>{longDateTime(appointment.starts_at, appointment.timezone, locale)} · {appointment.service_name}</p>
      {late && <p className="rule rule-late">{t("appts.lateWarn", { hours: cutoff })}</p>}
      <ErrorMessage error={cancel.error} />
      <div className="actions">
        <button type="button" onClick={onClose}>{t("appts.keep")}</button>
        <button type="button" className="danger" disabled={cancel.isPending}
          onClick={() => cancel.mutate({ id: appointment.id }, {
            onSuccess: (a) => onDone({ key: a?.late_cancellation ? "appts.cancelledLate" : "appts.cancelled" }),
          })}>
          {t("appts.cancelConfirm")}
        </button>
      </div>
    </Modal>
  );
}
