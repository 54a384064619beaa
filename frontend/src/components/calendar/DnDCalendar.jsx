/** The drag-and-drop calendar, in its own module so only staff screens load the addon. */
import "react-big-calendar/lib/addons/dragAndDrop/styles.css";
import { Calendar } from "react-big-calendar";
import * as addon from "react-big-calendar/lib/addons/dragAndDrop";

// The addon ships only as CommonJS. In a "type": "module" package the bundler imports it with Node's
// interop (default = module.exports = {default: fn}) while Vitest hands over fn itself: accept both.
const withDragAndDrop = typeof addon.default === "function" ? addon.default : addon.default.default;

export const DnDCalendar = withDragAndDrop(Calendar);
