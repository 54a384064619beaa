/** The drag-and-drop calendar, in its own module so only staff screens load the addon. */
import "react-big-calendar/lib/addons/dragAndDrop/styles.css";
import { Calendar } from "react-big-calendar";
import withDragAndDrop from "react-big-calendar/lib/addons/dragAndDrop";

export const DnDCalendar = withDragAndDrop(Calendar);
