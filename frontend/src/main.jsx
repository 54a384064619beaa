import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, preloadScreen } from "./app/App.jsx";
import { configureApi } from "./lib/api.js";
import "./styles.css";

configureApi({ apiBase: import.meta.env.VITE_API_URL || "" });
preloadScreen(window.location.pathname);

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
