import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api, forgetTokens, hasSessionCookies, refreshTokenForLogout, setSessionLostHandler } from "./api.js";
import { useI18n } from "./i18n.jsx";
import { useIdle } from "./idle.js";

export const IDLE_MINUTES = 30;
const SessionContext = createContext(null);

export const getMe = () => api("/me");

export function SessionProvider({ children, idleMinutes = IDLE_MINUTES }) {
  const queryClient = useQueryClient();
  const { locale, chosen, adoptLocale } = useI18n();
  const [notice, setNotice] = useState(null);
  const [anonymous, setAnonymous] = useState(() => !hasSessionCookies());
  const me = useQuery({
    queryKey: ["me"],
    queryFn: getMe,
    enabled: !anonymous,
    retry: false,
    staleTime: 5 * 60 * 1000,
  });
  const user = anonymous ? null : me.data ?? null;

  // On sign-in: a language chosen on this page before (the switch, an email link's ?lang=) is kept and saved
  // to the account; otherwise the account's saved language wins over this browser's old preference. Only
  // then: later answers to PATCH /api/me (possibly out of order) must not flip the language just chosen.
  useEffect(() => {
    if (!user?.locale || user.locale === locale) return;
    if (!chosen) {
      adoptLocale(user.locale);
      return;
    }
    api("/me", { method: "PATCH", body: { locale } })
      .then((account) => queryClient.setQueryData(["me"], account))
      .catch(() => { /* not saved: the account keeps its language, this page shows the chosen one */ });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user?.id]);

  // While signing out, requests already in flight come back 401 (their tokens were just revoked): that is
  // the sign-out itself, not a session that expired, so no "session expired" notice.
  const signingOut = useRef(false);

  const signedIn = useCallback((account) => {
    signingOut.current = false;
    queryClient.clear();
    queryClient.setQueryData(["me"], account);
    setAnonymous(false);
    setNotice(null);
  }, [queryClient]);

  const forget = useCallback((reason) => {
    forgetTokens();
    setAnonymous(true);
    queryClient.clear();
    setNotice(reason || null);
  }, [queryClient]);

  const signOut = useCallback(async (reason) => {
    signingOut.current = true;
    try {
      const refresh = refreshTokenForLogout();
      await api("/auth/logout", { method: "POST", body: refresh ? { refresh_token: refresh } : {} });
    } catch {
      /* already signed out on the server: nothing else to do */
    }
    forget(reason);
  }, [forget]);

  useEffect(() => {
    setSessionLostHandler(() => {
      if (!signingOut.current) forget("errors.unauthorized");
    });
    return () => setSessionLostHandler(() => {});
  }, [forget]);

  useIdle(Boolean(user), idleMinutes, () => signOut("app.idleOut"));

  const value = useMemo(() => ({
    user,
    loading: !anonymous && me.isPending,
    failed: !anonymous && me.isError,
    notice,
    clearNotice: () => setNotice(null),
    signedIn,
    signOut,
    forget, // the server already ended the session (e.g. "sign out everywhere"): drop it here only
  }), [user, anonymous, me.isPending, me.isError, notice, signedIn, signOut, forget]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
