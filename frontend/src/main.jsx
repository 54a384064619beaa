import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, preloadScreen } from "./app/App.jsx";
import { configureApi } from "./lib/api.js";
import { createQueryClient } from "./lib/query-client.js";
import "./styles.css";

configureApi({ apiBase: import.meta.env.VITE_API_URL || "" });
preloadScreen(window.location.pathname);
const queryClient = createQueryClient();

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App client={queryClient} />
  </StrictMode>,
);
