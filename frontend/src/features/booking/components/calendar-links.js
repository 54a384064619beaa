/** "Add to calendar" links for one appointment: Google Calendar and Outlook.com templates (UTC times). */

/** 2026-12-09T10:40:00+01:00 → 20261209T094000Z */
export const utcStamp = (instant) => new Date(instant).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function googleCalendarUrl({ title, start, end, details, location }) {
  const q = new URLSearchParams({ action: "TEMPLATE", text: title, dates: `${utcStamp(start)}/${utcStamp(end)}`, details, location });
  return `https://calendar.google.com/calendar/render?${q}`;
}

export function outlookCalendarUrl({ title, start, end, details, location }) {
  const q = new URLSearchParams({
    path: "/calendar/action/compose", rru: "addevent", subject: title,
    startdt: new Date(start).toISOString(), enddt: new Date(end).toISOString(), body: details, location,
  });
  return `https://outlook.live.com/calendar/0/action/compose?${q}`;
}
