/** The app's one query client, created once at start-up (main.jsx) and provided to the tree by App. */
import { QueryClient } from "@tanstack/react-query";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Retry only what may pass next time: the network or the server, never a 4xx.
      queries: { retry: (count, error) => count < 2 && (error?.status === 0 || error?.status >= 500), refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
