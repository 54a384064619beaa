// Reads one iCalendar document on stdin, parses it with Mozilla's ical.js and prints what it understood as JSON.
// ical.js has no time-zone database of its own: TZIDs resolve only through the document's VTIMEZONEs.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const root = new ICAL.Component(ICAL.parse(text));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
const params = (prop, name) => (prop ? prop.getParameter(name) ?? null : null);
const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = vevent.getFirstPropertyValue("dtstart");
  const organizer = vevent.getFirstProperty("organizer");
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    tzid: start.zone ? start.zone.tzid : null,
    start_local: start.toString(),
    start_utc: start.toJSDate().toISOString(),
    end_utc: event.endDate.toJSDate().toISOString(),
    organizer: organizer ? { value: organizer.getFirstValue(), cn: params(organizer, "cn") } : null,
    attendees: vevent.getAllProperties("attendee").map((p) => ({
      value: p.getFirstValue(), cn: params(p, "cn"), role: params(p, "role"),
      partstat: params(p, "partstat"), rsvp: params(p, "rsvp"),
    })),
    alarms: vevent.getAllSubcomponents("valarm").map((a) => ({
      action: a.getFirstPropertyValue("action"), trigger: a.getFirstPropertyValue("trigger").toString(),
    })),
  };
});
process.stdout.write(JSON.stringify({
  method: root.getFirstPropertyValue("method"),
  version: root.getFirstPropertyValue("version"),
  prodid: root.getFirstPropertyValue("prodid"),
  timezones: root.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
  events,
}));
